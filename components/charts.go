package components

import (
	"fmt"
	"strconv"
)

// Charts are drawn on the server as SVG, without a chart library, and every chart has a table
// beside it with the same numbers: the table is what assistive technology reads, so the SVG is
// hidden from it.

// Bar is one bar of a chart.
type Bar struct {
	Label string
	Value int
	Over  bool // drawn as exceeding a limit (a block over capacity)
}

// barChart is a horizontal bar chart laid out in SVG user units.
type barChart struct {
	Bars   []barGeom
	Width  int
	Height int
	Limit  *limitGeom
}

type barGeom struct {
	Y, W       int
	LabelY     int
	Label      string
	Value      string
	ValueX     int
	Over       bool
	BarHeight  int
	LabelWidth int
}

type limitGeom struct {
	X     int
	Label string
}

const (
	chartWidth      = 560
	chartLabelWidth = 200
	chartBarHeight  = 22
	chartGap        = 8
	chartValueRoom  = 44
)

// newBarChart lays bars out; limit > 0 draws a dashed line at that value, labelled.
func newBarChart(bars []Bar, limit int, limitLabel string) barChart {
	peak := max(limit, 1)
	for _, b := range bars {
		peak = max(peak, b.Value)
	}
	room := chartWidth - chartLabelWidth - chartValueRoom
	c := barChart{Width: chartWidth, Height: len(bars)*(chartBarHeight+chartGap) + chartGap}
	if limit > 0 {
		c.Height += 16
		c.Limit = &limitGeom{X: chartLabelWidth + limit*room/peak, Label: limitLabel}
	}
	for i, b := range bars {
		y := chartGap + i*(chartBarHeight+chartGap)
		if limit > 0 {
			y += 16
		}
		w := b.Value * room / peak
		if b.Value > 0 {
			w = max(w, 2)
		}
		c.Bars = append(c.Bars, barGeom{Y: y, W: w, LabelY: y + chartBarHeight/2 + 5, Label: shorten(b.Label, 30),
			Value: strconv.Itoa(b.Value), ValueX: chartLabelWidth + w + 6, Over: b.Over, BarHeight: chartBarHeight,
			LabelWidth: chartLabelWidth})
	}
	return c
}

func (c barChart) viewBox() string { return fmt.Sprintf("0 0 %d %d", c.Width, c.Height) }

// shorten cuts a label to n characters with an ellipsis (the table beside has it whole).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// pareto is a vertical bar chart of counts, most first, with the cumulative percentage as a
// line over it.
type pareto struct {
	Width, Height int
	Bars          []paretoBar
	Line          string // polyline points
	Base          int    // y of the axis
}

type paretoBar struct {
	X, Y, W, H int
	Value      string
	Cum        string
	Label      string
	LabelX     int
	CumX, CumY int
}

const (
	paretoHeight = 220
	paretoTop    = 24
	paretoBottom = 40
)

func newPareto(bars []Bar) pareto {
	p := pareto{Width: chartWidth, Height: paretoHeight, Base: paretoHeight - paretoBottom}
	total, peak := 0, 1
	for _, b := range bars {
		total += b.Value
		peak = max(peak, b.Value)
	}
	if len(bars) == 0 || total == 0 {
		return p
	}
	slot := (chartWidth - 20) / len(bars)
	w := max(slot*6/10, 4)
	room := p.Base - paretoTop
	cum := 0
	for i, b := range bars {
		cum += b.Value
		h := b.Value * room / peak
		x := 10 + i*slot + (slot-w)/2
		cy := p.Base - cum*room/total
		pb := paretoBar{X: x, Y: p.Base - h, W: w, H: h, Value: strconv.Itoa(b.Value), Label: shorten(b.Label, max(3, slot/8)),
			LabelX: x + w/2, CumX: x + w/2, CumY: cy, Cum: strconv.Itoa(cum*100/total) + " %"}
		p.Bars = append(p.Bars, pb)
		if p.Line != "" {
			p.Line += " "
		}
		p.Line += fmt.Sprintf("%d,%d", pb.CumX, pb.CumY)
	}
	return p
}

func (p pareto) viewBox() string { return fmt.Sprintf("0 0 %d %d", p.Width, p.Height) }
