"""What the operating system provides: the real clock, the program's asset files, logging."""
