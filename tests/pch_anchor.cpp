// Exists only so that the shared precompiled header has a target to be built from.
