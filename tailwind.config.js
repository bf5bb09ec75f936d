/** Tailwind configuration for Ticket Home; loaded from static/css/input.css with @config. */
module.exports = {
  content: ["./components/**/*.templ", "./components/**/*.go", "./static/js/app.js"],
  theme: {
    extend: {},
  },
};
