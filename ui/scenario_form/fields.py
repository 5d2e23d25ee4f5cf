"""How each scenario field is shown in the sidebar: label, display scale, step, bounds, sweep range.

Display only: values in a scenario stay decimals (scenario units); ``scale`` (100 = percent)
changes what a widget shows. The sweep's default range is in display units too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.scenario import FIELD_DOCS
from core.sensitivity import SWEEP_FIELDS


@dataclass(frozen=True)
class FieldSpec:
    """How one scenario field is shown: label, display scale (100 = percent), step, bounds.

    Values in the scenario stay decimals; ``scale`` only changes what the widget shows.
    """

    doc_key: str
    label: str
    scale: float = 1.0
    step: float = 0.05
    fmt: str = "%.2f"
    minimum: float | None = None
    maximum: float | None = None
    optional: bool = False
    sweep: tuple[float, float] = (0.5, 2.0)

    @property
    def unit(self) -> str:
        """Suffix of displayed values."""
        return "%" if self.scale == 100.0 else ""

    def to_display(self, value: float) -> float:
        """Scenario value (decimal) -> widget value, rounded to kill float noise (7.000000000000001)."""
        return round(float(value) * self.scale, 10)

    def from_display(self, value: float) -> float:
        """Widget value -> scenario value (decimal), 12 significant digits."""
        return float(f"{float(value) / self.scale:.12g}")

    def help(self, extra: str = "") -> str:
        """Help text from :data:`core.scenario.FIELD_DOCS` (meaning, unit, default)."""
        doc = FIELD_DOCS[self.doc_key]
        shown = " Shown in percent; stored as a decimal." if self.scale == 100.0 else ""
        text = f"{doc.doc}\n\nUnit: {doc.unit}.{shown} Default: {doc.default}."
        return f"{text}\n\n{extra}" if extra else text

    def text(self, value: float | None) -> str:
        """Display text of a scenario value (``calibrated`` for None)."""
        if value is None:
            return "calibrated"
        if math.isinf(value):
            return "∞ (normal)"
        shown = self.to_display(value)
        return f"{shown:+.1f}%" if self.scale == 100.0 else f"{shown:.3g}"


_MULT = {"step": 0.05, "fmt": "%.2f"}


REGIME_FIELDS: dict[str, FieldSpec] = {
    "russell_drift_shift": FieldSpec("regimes[].russell_drift_shift", "Russell drift shift (%/yr)",
                                     100.0, 5.0, "%.1f", sweep=(-60.0, 30.0)),
    "russell_vol_scale": FieldSpec("regimes[].russell_vol_scale", "Russell vol ×", minimum=0.0, **_MULT),
    "btc_alpha": FieldSpec("regimes[].btc_alpha", "BTC alpha (%/yr)", 100.0, 5.0, "%.1f",
                           optional=True, sweep=(-100.0, 100.0)),
    "btc_beta": FieldSpec("regimes[].btc_beta", "BTC beta", optional=True, sweep=(0.0, 2.0), **_MULT),
    "btc_beta_scale": FieldSpec("regimes[].btc_beta_scale", "BTC beta ×", **_MULT),
    "btc_vol_scale": FieldSpec("regimes[].btc_vol_scale", "BTC residual vol ×", minimum=0.0, **_MULT),
    "alt_alpha": FieldSpec("regimes[].alt_alpha", "Altcoin alpha (%/yr)", 100.0, 5.0, "%.1f",
                           optional=True, sweep=(-100.0, 200.0)),
    "alt_beta": FieldSpec("regimes[].alt_beta", "Altcoin beta", optional=True, sweep=(0.0, 3.0), **_MULT),
    "alt_beta_scale": FieldSpec("regimes[].alt_beta_scale", "Altcoin beta ×", **_MULT),
    "alt_loading_scale": FieldSpec("regimes[].alt_loading_scale", "Altcoin loading on BTC ×", **_MULT),
    "alt_vol_scale": FieldSpec("regimes[].alt_vol_scale", "Altcoin residual vol ×", minimum=0.0, **_MULT),
    "downside_beta_scale": FieldSpec("regimes[].downside_beta_scale", "Downside beta ×", minimum=0.0,
                                     sweep=(1.0, 2.0), **_MULT),
    "jump_intensity": FieldSpec("regimes[].jump_intensity", "Jumps per year per token", 1.0, 0.5, "%.2f",
                                minimum=0.0, sweep=(0.0, 12.0)),
    "jump_mean": FieldSpec("regimes[].jump_mean", "Mean jump (log, %)", 100.0, 1.0, "%.1f",
                           sweep=(-20.0, 10.0)),
    "jump_vol": FieldSpec("regimes[].jump_vol", "Jump size std dev (%)", 100.0, 1.0, "%.1f",
                          minimum=0.0, sweep=(0.0, 15.0)),
    "df": FieldSpec("regimes[].df", "Crypto tail df", 1.0, 0.5, "%.2f", minimum=2.0,
                    optional=True, sweep=(3.0, 30.0)),
    "russell_df": FieldSpec("regimes[].russell_df", "Russell tail df", 1.0, 0.5, "%.2f", minimum=2.0,
                            optional=True, sweep=(3.0, 30.0)),
}


SELECTIVITY = FieldSpec("selectivity", "Selectivity (%/yr)", 100.0, 5.0, "%.1f", minimum=0.0,
                        sweep=(0.0, 150.0))


TARGET_RETURN = FieldSpec("russell.target_return", "Russell return over the horizon (%)", 100.0, 1.0,
                          "%.1f", minimum=-99.9, sweep=(-30.0, 30.0))


ANNUAL_VOL = FieldSpec("russell.annual_vol", "Russell volatility (%/yr)", 100.0, 1.0, "%.1f",
                       minimum=0.0, optional=True, sweep=(10.0, 40.0))


PHASE_RETURN = FieldSpec("russell.phases[].total_return", "Return (%)", 100.0, 1.0, "%.1f", minimum=-99.9)


#: Regime fields by sidebar group.
RUSSELL_REGIME_FIELDS = ("russell_drift_shift", "russell_vol_scale")


CRYPTO_FIELDS = (
    "btc_alpha", "btc_beta", "btc_beta_scale", "btc_vol_scale", "alt_alpha", "alt_beta",
    "alt_beta_scale", "alt_loading_scale", "alt_vol_scale", "downside_beta_scale",
)


TAIL_FIELDS = ("jump_intensity", "jump_mean", "jump_vol", "df", "russell_df")


#: Fields offered by the sensitivity sweep (:data:`core.sensitivity.SWEEP_FIELDS`): key -> display spec.
SWEEPABLE: dict[str, FieldSpec] = {
    key: {"russell.target_return": TARGET_RETURN, "russell.annual_vol": ANNUAL_VOL,
          "selectivity": SELECTIVITY}.get(key) or REGIME_FIELDS[key]
    for key in SWEEP_FIELDS
}
