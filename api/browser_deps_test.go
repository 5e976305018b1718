package api_test

// chromedp drives the browser tests; imported here so go.mod keeps it.
import _ "github.com/chromedp/chromedp"
