package handlers

// LiveClockMargin is how far before a reconnecting browser's Last-Event-ID changes still count
// as missed, for the tests of the live-update stream.
const LiveClockMargin = liveClockMargin
