// Package controls is the catalog's content: one file per control, holding
// its metadata, rationale, manual steps and check. Importing the package
// registers every control.
package controls
