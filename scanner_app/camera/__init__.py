"""Frame sources, decoders and the capture worker (the camera side of the program)."""
