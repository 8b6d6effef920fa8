"""The supervisor view (behind the PIN): the day's checks by hour and decision, the reasons,
the cards flagged as possibly shared, exports (CSV / XLSX / PDF with progress), the trust
data in use, and the hub (enrollment, sync)."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from scanner_app.core.wire import ENROLL_SCHEME, EnrollmentLink
from scanner_app.ui import texts
from scanner_app.ui.background import run_in_background
from scanner_app.ui.dialogs import ErrorDialog
from scanner_app.ui.session import Session
from scanner_app.ui.theme import OUTCOME_COLOURS, font

DECISIONS = ("allow", "deny", "manual")
OS_ERRORS = {cls.__name__ for cls in (OSError, *OSError.__subclasses__())}

log = logging.getLogger(__name__)


def _table(headers: list[str], stretch: int) -> QTableWidget:
    """A read-only table whose `stretch` column takes the room left (its text wraps) and
    whose other columns fit their contents: counts and times are never pushed out of view."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(True)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    header = table.horizontalHeader()
    for column in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch if column == stretch else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(column, mode)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: list[list[Any]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(str(value))
            if isinstance(value, int):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


class SupervisorView(QDialog):
    def __init__(
        self, session: Session, parent: QWidget | None = None, *, enroll_link: str | None = None
    ) -> None:
        """`enroll_link`: the hub's enrollment QR was shown to the camera: open on the Hub tab
        with its address and code filled in, for the supervisor to confirm."""
        super().__init__(parent)
        self.session = session
        self.report: Any = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self._day_tab(), "")
        self.tabs.addTab(self._trust_tab(), "")
        self.tabs.addTab(self._hub_tab(), "")
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.close_button, alignment=Qt.AlignmentFlag.AlignRight)
        self.resize(1000, 660)
        self.retranslate()
        self.load_day()
        if enroll_link is not None:
            self.tabs.setCurrentIndex(2)
            self.hub_url.setText(enroll_link)
            if self.hub_code.text():
                read = self.tr("The hub's enrollment QR code was read: check the address, then press Enroll.")
                self.hub_state.setText(self.hub_state.text() + "\n\n" + read)

    # -- the day -------------------------------------------------------------------------

    def _day_tab(self) -> QWidget:
        page = QWidget()
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd/MM/yyyy")  # as Vietnamese (and British) forms write it
        self.day.dateChanged.connect(self.load_day)
        self.totals = QLabel()
        self.totals.setFont(font(14, bold=True))
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(260)
        self.reasons = _table(["", ""], stretch=0)
        self.flagged = _table(["", "", "", ""], stretch=2)
        self.export_buttons = {kind: QPushButton() for kind in ("csv", "xlsx", "pdf")}
        for kind, button in self.export_buttons.items():
            button.clicked.connect(lambda _=False, k=kind: self.export(k))
        top = QHBoxLayout()
        self.day_label = QLabel()
        top.addWidget(self.day_label)
        top.addWidget(self.day)
        top.addStretch(1)
        for button in self.export_buttons.values():
            top.addWidget(button)
        self.totals.setWordWrap(True)
        self.reasons_title, self.flagged_title = QLabel(), QLabel()
        tables = QHBoxLayout()
        for title, table in ((self.reasons_title, self.reasons), (self.flagged_title, self.flagged)):
            title.setWordWrap(True)
            column = QVBoxLayout()
            column.addWidget(title)
            column.addWidget(table)
            tables.addLayout(column)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.totals)
        layout.addWidget(self.chart_view, 3)
        layout.addLayout(tables, 2)
        return page

    def load_day(self) -> None:
        """Read in a child process (a 10,000-check day is seconds of Python: not on the GIL
        the window paints with); the thread only waits for the answer."""
        from scanner_app.services.export_child import ChildFailed, load_day_in_child

        chosen = self.day.date().toPython()

        def work() -> Any:
            try:
                return load_day_in_child(self.session.data_dir, chosen)
            except ChildFailed as failure:
                return failure

        def done(result: Any) -> None:
            if isinstance(result, ChildFailed):
                self.show_error(result.trace or str(result))
            else:
                self.show_day(result)

        run_in_background(self, work, done, self.show_error)

    def show_day(self, report: Any) -> None:
        self.report = report
        total = len(report.rows)
        parts = [f"{texts.decision(d)}: {report.decisions.get(d, 0)}" for d in DECISIONS]
        count = self.tr("%n check(s)", "", total)
        self.totals.setText(f"{count} — " + " · ".join(parts))
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        series = QStackedBarSeries()
        hours = list(range(24))
        for decision in DECISIONS:
            bars = QBarSet(texts.decision(decision))
            bars.setColor(QColor(OUTCOME_COLOURS[decision][0]))
            for hour in hours:
                bars.append(report.by_hour.get(hour, {}).get(decision, 0))
            series.append(bars)
        self.chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([f"{h:02d}" for h in hours])
        axis_y = QValueAxis()
        axis_y.setLabelFormat("%d")
        busiest = max((sum(c.values()) for c in report.by_hour.values()), default=0)
        top = max(busiest, 1)
        if top <= 10:  # whole checks only: one tick per check
            axis_y.setRange(0, top)
            axis_y.setTickCount(top + 1)
        else:
            axis_y.setRange(0, top)
            axis_y.applyNiceNumbers()
        self.chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        self.chart.setTitle(self.tr("Checks by hour"))
        _fill(self.reasons, [[texts.reason(r), n] for r, n in report.reasons.most_common()])
        _fill(
            self.flagged,
            [
                [
                    datetime.fromisoformat(r["wall_time"]).astimezone().strftime("%H:%M:%S"),
                    r["seq"],
                    texts.flags(r["flags"]),
                    (r["cert_hash"] or "")[:12] + "…",
                ]
                for r in report.flagged
            ],
        )

    def export(self, kind: str) -> None:
        """The file is written by a child process (`services/export_child.py`); this window
        only shows its progress."""
        from scanner_app.services.export_child import ChildFailed, export_in_child
        from scanner_app.services.export_day import default_name

        chosen: date = self.day.date().toPython()
        app = self.session.app
        checkpoint = app.station().checkpoint_id
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export"), default_name(checkpoint, chosen, kind), f"{kind.upper()} (*.{kind})"
        )
        if not name:
            return
        progress = QProgressDialog(self.tr("Exporting…"), "", 0, 100, self)
        progress.setCancelButton(None)
        progress.setMinimumDuration(300)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        language = self.session.language

        def work(report_progress):  # type: ignore[no-untyped-def]
            try:
                return export_in_child(
                    app.data_dir,
                    checkpoint,
                    chosen,
                    kind,
                    Path(name),
                    language=language,
                    progress=report_progress,
                )
            except ChildFailed as failure:
                return failure

        def done(result: Any) -> None:
            progress.close()
            if isinstance(result, ChildFailed):
                self.export_failed(result)
                return
            out, manifest, rows = result
            QMessageBox.information(
                self,
                self.tr("Export"),
                self.tr("Exported %n check(s).", "", rows) + f"\n{out}\n{manifest.name}",
            )

        def step(done_count: int, total: int) -> None:
            progress.setMaximum(max(total, 1))
            progress.setValue(done_count)

        run_in_background(self, work, done, lambda report: (progress.close(), self.show_error(report)), step)

    def export_failed(self, failure: Any) -> None:
        """The environment's fault (a full disk, a folder without write access) in words; a
        bug with its report."""
        if failure.kind in OS_ERRORS:
            QMessageBox.warning(
                self,
                self.tr("Export"),
                self.tr("The export could not be written: %1").replace("%1", failure.message),
            )
        else:
            self.show_error(failure.trace or str(failure))

    # -- trust data ----------------------------------------------------------------------

    def _trust_tab(self) -> QWidget:
        page = QWidget()
        self.trust_form = QFormLayout()
        self.trust_labels: dict[str, QLabel] = {}
        self.trust_titles: dict[str, QLabel] = {}
        for key in ("issuer", "sequence", "issued_at", "not_after", "profile", "policy"):
            self.trust_titles[key] = QLabel()
            self.trust_labels[key] = QLabel()
            self.trust_labels[key].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.trust_form.addRow(self.trust_titles[key], self.trust_labels[key])
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.import_bundle)
        layout = QVBoxLayout(page)
        layout.addLayout(self.trust_form)
        layout.addWidget(self.import_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return page

    def show_trust(self) -> None:
        trust = self.session.controller.trust
        if trust is None:
            return
        language = "vi" if self.session.language == "vi" else "en"
        example = self.tr("example")
        demo = self.tr("DEMO")
        values = {
            "issuer": f"{trust.issuer}  ({demo})" if trust.demo else trust.issuer,
            "sequence": str(trust.sequence),
            "issued_at": trust.issued_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            "not_after": trust.not_after.astimezone().strftime("%Y-%m-%d %H:%M"),
            "profile": f"{trust.profile} — {trust.profile_title.get(language, '')}",
            "policy": f"{trust.policy} {trust.policy_version}"
            + (f"  ({example})" if trust.policy_example else ""),
        }
        for key, value in values.items():
            self.trust_labels[key].setText(value)

    def import_bundle(self) -> None:
        from scanner_app.core.bundle import BundleError

        name, _ = QFileDialog.getOpenFileName(self, self.tr("Import trust data"), "", "(*.cose *.bundle *)")
        if not name:
            return
        try:
            app = self.session.app
            bundle = app.trust.install(Path(name).read_bytes(), app.clock.now())
        except (OSError, BundleError) as exc:
            QMessageBox.warning(
                self,
                self.tr("Import trust data"),
                self.tr("Refused; the trust data in use stays:") + f"\n{exc}",
            )
            return
        self.session.controller.reload_trust()
        self.session.log_event("bundle_imported", json.dumps({"sequence": bundle.sequence}))
        QMessageBox.information(
            self,
            self.tr("Import trust data"),
            self.tr("Installed trust data #%n.", "", bundle.sequence),
        )

    # -- the hub -------------------------------------------------------------------------

    def _hub_tab(self) -> QWidget:
        page = QWidget()
        self.hub_state = QLabel()
        self.hub_state.setWordWrap(True)
        self.hub_url = QLineEdit()
        self.hub_code = QLineEdit()
        self.hub_url.textChanged.connect(self.take_link)
        self.enroll_button = QPushButton()
        self.enroll_button.clicked.connect(self.enroll)
        self.sync_button = QPushButton()
        self.sync_button.clicked.connect(self.session.controller.sync_now)
        form = QFormLayout()
        self.url_title, self.code_title = QLabel(), QLabel()
        form.addRow(self.url_title, self.hub_url)
        form.addRow(self.code_title, self.hub_code)
        layout = QVBoxLayout(page)
        layout.addWidget(self.hub_state)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(self.sync_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def show_hub(self) -> None:
        device = self.session.app.device
        if device.enrolled:
            self.hub_state.setText(
                self.tr("Enrolled as %1 at checkpoint %2, hub %3")
                .replace("%1", device.device_id)
                .replace("%2", device.checkpoint_id or "?")
                .replace("%3", device.hub_url or "?")
            )
        else:
            self.hub_state.setText(
                self.tr(
                    "Not enrolled: checks stay on this computer until you enroll "
                    "it with the district hub (or carry them on a USB stick)."
                )
            )

    def take_link(self, text: str) -> None:
        """The text of the hub's QR (`scanner-enroll:?hub=…&code=…`) pasted or scanned into the
        address field: split into the addresses and the code."""
        if not text.startswith(ENROLL_SCHEME):
            return
        try:
            link = EnrollmentLink.parse(text.strip())
        except ValueError as exc:
            self.hub_code.clear()  # never enroll with a code left over from another link
            log.warning("enrollment link refused: %s", exc)  # the parser's detail, for a technician
            self.hub_state.setText(
                self.tr(
                    "This is not a usable enrollment link. Scan the QR code on the hub's "
                    "enrollment page again, or type the hub's address and the code."
                )
            )
            return
        self.hub_url.setText(" ".join(link.hubs))
        self.hub_code.setText(str(link.code))

    def enroll(self) -> None:
        from scanner_app.services.enroll import EnrollError, EnrollProblem, enroll

        urls, code = self.hub_url.text().replace(",", " ").split(), self.hub_code.text().strip()
        if not urls or not code:
            return
        app = self.session.app

        def work() -> EnrollError | None:
            try:
                enroll(app.data_dir, app.device, app.trust, app.clock, urls, code)
            except EnrollError as exc:
                return exc
            app.reload_device()
            return None

        def done(error: EnrollError | None) -> None:
            self.show_hub()
            if error is None:
                message = self.tr("Enrolled. Restart the program to start syncing.")
            else:
                reason = {
                    EnrollProblem.UNREACHABLE: self.tr(
                        "the hub did not answer: check the address and the network"
                    ),
                    EnrollProblem.REFUSED: self.tr(
                        "the hub refused the code: it is unknown, used or expired"
                    ),
                    EnrollProblem.BAD_ANSWER: self.tr("the hub's answer could not be used"),
                    EnrollProblem.BAD_CODE: self.tr(
                        "type the code with its fingerprint, as the hub printed it"
                    ),
                    EnrollProblem.IMPOSTOR: self.tr(
                        "whoever answers at this address is NOT the hub the code names"
                    ),
                }[error.problem]
                message = self.tr("Enrollment failed: %1.").replace("%1", reason) + f"\n\n{error.detail}"
            QMessageBox.information(self, self.tr("Hub"), message)

        run_in_background(self, work, done, self.show_error)

    # -- common --------------------------------------------------------------------------

    def show_error(self, report: str) -> None:
        ErrorDialog(report, self).show()

    def showEvent(self, event: QEvent) -> None:
        super().showEvent(event)
        anchor = (
            self.parentWidget().frameGeometry() if self.parentWidget() else self.screen().availableGeometry()
        )
        frame = self.frameGeometry()
        frame.moveCenter(anchor.center())  # centred even without a window manager
        self.move(frame.topLeft())

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Supervisor view"))
        self.tabs.setTabText(0, self.tr("Checks"))
        self.tabs.setTabText(1, self.tr("Trust data"))
        self.tabs.setTabText(2, self.tr("Hub"))
        self.day_label.setText(self.tr("Day:"))
        self.export_buttons["csv"].setText(self.tr("Export CSV"))
        self.export_buttons["xlsx"].setText(self.tr("Export Excel"))
        self.export_buttons["pdf"].setText(self.tr("PDF report"))
        self.reasons_title.setText(self.tr("Checks by reason"))
        self.flagged_title.setText(
            self.tr("Flagged checks: a card possibly shared (shown again too soon, or at two distant places)")
        )
        self.reasons.setHorizontalHeaderLabels([self.tr("Reason"), self.tr("Checks")])
        self.flagged.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Check"), self.tr("Flags"), self.tr("Card hash")]
        )
        titles = {
            "issuer": self.tr("Issuer"),
            "sequence": self.tr("Sequence"),
            "issued_at": self.tr("Issued"),
            "not_after": self.tr("Valid until"),
            "profile": self.tr("Colour rules"),
            "policy": self.tr("Decision table"),
        }
        for key, label in self.trust_titles.items():
            label.setText(titles[key])
        self.import_button.setText(self.tr("Import trust data from a file (USB stick)…"))
        self.url_title.setText(self.tr("Hub address"))
        self.code_title.setText(self.tr("Enrollment code"))
        self.enroll_button.setText(self.tr("Enroll"))
        self.sync_button.setText(self.tr("Sync now"))
        self.close_button.setText(self.tr("Close"))
        self.show_trust()
        self.show_hub()
        if self.report is not None:
            self.show_day(self.report)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
