"""scanner-issuer: the province's card issuer.

It keeps the province's signing keys in a PKCS#11 token, reads the vaccination, testing and
recovery platforms' CSV exports, issues signed DCC 1.3.0 cards (HC1) with UVCIs, prints them
as ID-1 cards on A4 sheets, keeps an issuance register (revocation, reissue) and exports the
document signers and revocations for the scanners' trust bundle.
"""
