"""The use cases (scan, export a day, enroll, build a bundle's content, reports) as plain
functions and small classes that receive their dependencies. The window, the command line
and the hub call these, never each other."""
