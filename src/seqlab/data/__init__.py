"""Small data files shipped with seqlab (see SOURCES.md here for origins and licences)."""
