package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
)

// checkDataFolder refuses a data folder that group or others can write
// (they could replace the database and with it the node's key) and warns
// when others can read it (the database holds the private key; the node
// creates its files 0600, but older files or copies may not be). A folder
// that does not exist yet passes: the store creates it 0700.
func checkDataFolder(dir string, log *slog.Logger) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data folder %s is not a folder", dir)
	}
	perm := fi.Mode().Perm()
	if perm&0o022 != 0 {
		return fmt.Errorf("data folder %s can be written by group or others (mode %04o): "+
			"it holds the node's private key; run chmod 700 %s", dir, perm, dir)
	}
	if perm&0o004 != 0 {
		log.Warn("the data folder can be read by others: it holds the node's private key; run chmod 700 on it",
			"data", dir, "mode", fmt.Sprintf("%04o", perm))
	}
	return nil
}
