"""The dev kit: demo signing keys, signed demo cards and their QR images.

For demos, training and tests. Everything it signs is signed by DEMO keys that are
published in this repository: nothing it makes is a real certificate.
"""
