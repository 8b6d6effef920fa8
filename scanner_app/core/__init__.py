"""The pure core: card formats, verification, rules, policy, trust bundle, clocks.

Nothing here imports Qt, OpenCV, numpy, SQLite or an HTTP library (tests/test_architecture.py
fails the build if that changes). Every function that needs the time is given `now`.
"""
