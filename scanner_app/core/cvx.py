"""COVID-19 vaccines by CVX code (the CDC's vaccine code set, `http://hl7.org/fhir/sid/cvx`),
mapped to what a DCC vaccination entry says about the same product.

SMART Health Cards name vaccines by CVX code; the colour profiles read DCC vaccination facts
(`payload.v.0.dn/sd/dt`, and may read `mp`/`ma`/`vp`). This table is the bridge: the EU
value-set codes for the product (`vaccines-covid-19-names`, `-auth-holders`,
`sct-vaccines-covid-19`) and the number of doses in its primary series (`sd`).

Codes and displays: the CDC CVX list as snapshotted in WHO DDCC's "Vaccine - COVID-19 - CVX"
value set (Feb 2023). Series lengths: the product labels / WHO EUL (mRNA 2, adult Pfizer
3 mcg infant formulation 3, Janssen / Sputnik Light / Convidecia 1, the others 2).

Deliberately absent, so their doses are not counted (which can only lower a colour, never
raise it): the unspecified codes (213 "COVID-19 vaccine, unspecified", 500 "non-US, product
unknown"), whose series length is unknown, and products with no code in the EU value sets or
an uncertain schedule (225/226 Sanofi, 501 QazCovid, 507/508/513 protein subunits with
three-dose schedules, 514 ZyCoV-D, 516 KCONVAC, 517 Corbevax). A deployment that needs one
adds a row here, with a test.
"""

from __future__ import annotations

from dataclasses import dataclass

CVX_SYSTEM = "http://hl7.org/fhir/sid/cvx"
COVID_19 = "840539006"  # SNOMED CT, the DCC's `tg`
MRNA = "1119349007"  # SARS-CoV-2 mRNA vaccine
ANTIGEN = "1119305005"  # SARS-CoV-2 antigen vaccine (protein subunit, inactivated)
VECTOR = "J07BX03"  # covid-19 vaccines (ATC; what 2021 DCCs used for vector vaccines)


@dataclass(frozen=True)
class CvxProduct:
    code: str
    mp: str  # medicinal product (DCC `mp`)
    ma: str  # marketing authorisation holder (DCC `ma`)
    vp: str  # vaccine type (DCC `vp`)
    series: int  # doses in the primary series (DCC `sd`)
    label: str


_PFIZER = ("EU/1/20/1528", "ORG-100030215", MRNA)
_MODERNA = ("EU/1/20/1507", "ORG-100031184", MRNA)

_ROWS = (
    CvxProduct("207", *_MODERNA, 2, "Moderna 100 mcg"),
    CvxProduct("208", *_PFIZER, 2, "Pfizer-BioNTech 30 mcg"),
    CvxProduct("210", "EU/1/21/1529", "ORG-100001699", VECTOR, 2, "AstraZeneca"),
    CvxProduct("211", "EU/1/21/1618", "ORG-100032020", ANTIGEN, 2, "Novavax"),
    CvxProduct("212", "EU/1/20/1525", "ORG-100001417", VECTOR, 1, "Janssen"),
    CvxProduct("217", *_PFIZER, 2, "Pfizer-BioNTech 30 mcg, tris-sucrose"),
    CvxProduct("218", *_PFIZER, 2, "Pfizer-BioNTech 10 mcg, tris-sucrose"),
    CvxProduct("219", *_PFIZER, 3, "Pfizer-BioNTech 3 mcg, tris-sucrose"),
    CvxProduct("221", *_MODERNA, 2, "Moderna 50 mcg"),
    CvxProduct("227", *_MODERNA, 2, "Moderna paediatric 50 mcg"),
    CvxProduct("228", *_MODERNA, 2, "Moderna paediatric 25 mcg"),
    CvxProduct("229", *_MODERNA, 2, "Moderna bivalent"),
    CvxProduct("230", *_MODERNA, 2, "Moderna bivalent 10 mcg"),
    CvxProduct("300", *_PFIZER, 2, "Pfizer-BioNTech bivalent 30 mcg"),
    CvxProduct("301", *_PFIZER, 2, "Pfizer-BioNTech bivalent 10 mcg"),
    CvxProduct("302", *_PFIZER, 3, "Pfizer-BioNTech bivalent 3 mcg"),
    CvxProduct("502", "Covaxin", "Bharat-Biotech", ANTIGEN, 2, "COVAXIN"),
    CvxProduct("503", "CoviVac", "Chumakov-Federal-Scientific-Center", ANTIGEN, 2, "CoviVac"),
    CvxProduct("504", "Sputnik-Light", "Gamaleya-Research-Institute", VECTOR, 1, "Sputnik Light"),
    CvxProduct("505", "Sputnik-V", "Gamaleya-Research-Institute", VECTOR, 2, "Sputnik V"),
    CvxProduct("506", "Convidecia", "ORG-100013793", VECTOR, 1, "CanSino"),
    CvxProduct("509", "EpiVacCorona", "Vector-Institute", ANTIGEN, 2, "EpiVacCorona"),
    CvxProduct("510", "BBIBP-CorV", "ORG-100020693", ANTIGEN, 2, "Sinopharm BIBP"),
    CvxProduct("511", "CoronaVac", "Sinovac-Biotech", ANTIGEN, 2, "Sinovac CoronaVac"),
    CvxProduct("512", "Covifenz", "ORG-100008549", ANTIGEN, 2, "Medicago Covifenz"),
    CvxProduct("515", "MVC-COV1901", "ORG-100033914", ANTIGEN, 2, "Medigen"),
    CvxProduct("518", "EU/1/21/1624", "ORG-100036422", ANTIGEN, 2, "Valneva"),
    CvxProduct("519", *_MODERNA, 2, "Moderna bivalent BA.1 (non-US)"),
    CvxProduct("520", *_PFIZER, 2, "Pfizer-BioNTech bivalent BA.1 (non-US)"),
)

PRODUCTS: dict[str, CvxProduct] = {row.code: row for row in _ROWS}
