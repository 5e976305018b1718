package api

// Imports that the open-data and browser-test work will use, kept here so
// go.mod lists them while that work is in progress.
import (
	_ "github.com/arran4/golang-ical"
	_ "github.com/gorilla/feeds"
)
