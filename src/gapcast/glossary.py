"""One word per concept: the glossary the CLI, the API, the dashboard and the report share.

Every user-facing name of a concept or of a scenario parameter comes from here, in English,
Chinese and Japanese, so "persistent offset" is never "group term" elsewhere and no chart or
answer shows a raw field path such as ``growth_changes.0.factor``. ``label(path, lang)``
names any parameter: an exact entry of ``PARAMS`` first, else one composed from its parts
(``groups.challenger.releases.rate`` -> "Challenger: releases rate"), never the path itself.
The comparative words ("narrowed", "agree closely") are not here: they belong to the rules of
``gapcast.report.findings``.
"""

# ruff: noqa: E501  (entries read better unbroken)
from __future__ import annotations

import re

LANGS = ("en", "zh", "ja")

TERMS: dict[str, dict[str, str]] = {
    "gap": {"en": "gap", "zh": "差距", "ja": "差"},
    "lag": {"en": "lag", "zh": "滞后", "ja": "遅れ"},
    "leader": {"en": "Leader", "zh": "领先方", "ja": "先行側"},
    "challenger": {"en": "Challenger", "zh": "追赶方", "ja": "追い上げ側"},
    "persistent_offset": {"en": "persistent offset", "zh": "持续性偏差", "ja": "持続的な差"},
    "sustained_lead": {
        "en": "ahead for good (a sustained lead)",
        "zh": "持续领先",
        "ja": "持続的な先行",
    },
    "strict_lead": {
        "en": "ahead at least once (a strict lead)",
        "zh": "至少一次领先",
        "ja": "一度でも先行",
    },
    "mc_error": {
        "en": "Monte Carlo error (from the finite number of draws, not the uncertainty of the number)",
        "zh": "蒙特卡洛误差（来自有限的抽样次数，并非该数字的不确定性）",
        "ja": "モンテカルロ誤差（有限の抽出回数による誤差で、数値の不確かさではありません）",
    },
    "interval90": {"en": "90% interval", "zh": "90%区间", "ja": "90%区間"},
    "interval95": {"en": "95% interval", "zh": "95%区间", "ja": "95%区間"},
    "spread": {
        "en": "spread across models and scenarios",
        "zh": "各模型与情景之间的范围",
        "ja": "モデルとシナリオの間の幅",
    },
    "ensemble": {
        "en": "ensemble of both models",
        "zh": "两个模型的集成",
        "ja": "2つのモデルのアンサンブル",
    },
    "trend_model": {"en": "trend model", "zh": "趋势模型", "ja": "トレンドモデル"},
    "compute_model": {"en": "compute model", "zh": "算力模型", "ja": "計算資源モデル"},
    "structural_model": {"en": "structural model", "zh": "结构模型", "ja": "構造モデル"},
    "data_can_tell": {
        "en": "the data narrow this",
        "zh": "数据能够约束这一点",
        "ja": "データで絞り込めます",
    },
    "data_cannot_tell": {
        "en": "the data cannot tell: the answer rests on the assumptions",
        "zh": "数据无法判断：结论取决于假设",
        "ja": "データでは判断できません：答えは仮定に依存します",
    },
}
"""Concepts by key, in each language."""

PARTS: dict[str, dict[str, str]] = {
    "compute": {"en": "compute", "zh": "算力", "ja": "計算資源"},
    "algorithms": {"en": "algorithms", "zh": "算法", "ja": "アルゴリズム"},
    "group_term": {"en": "persistent offset", "zh": "持续性偏差", "ja": "持続的な差"},
    "residual": {
        "en": "unexplained (fades)",
        "zh": "未解释部分（逐渐消退）",
        "ja": "説明のつかない部分（減衰）",
    },
}
"""The parts of the measured gap in the compute model's decomposition."""

PARAMS: dict[str, dict[str, str]] = {
    "posterior.row": {
        "en": "Fitted parameters (λ, κ, θ)",
        "zh": "拟合参数（λ、κ、θ）",
        "ja": "推定パラメータ（λ、κ、θ）",
    },
    "capability.catchup_lag_months": {
        "en": "Catch-up lag: months back the side behind catches up to",
        "zh": "追赶滞后：落后一方追赶对方多少个月前的水平",
        "ja": "キャッチアップの遅れ：遅れている側が何か月前の相手の水準に追いつくか",
    },
    "capability.catchup_rate": {
        "en": "Catch-up: share of the distance closed each month",
        "zh": "追赶速度：每月缩小的差距比例",
        "ja": "キャッチアップ：毎月縮まる差の割合",
    },
    "capability.research_elasticity": {
        "en": "Capability per unit of log research compute (λ)",
        "zh": "能力对研究算力对数的弹性（λ）",
        "ja": "研究用計算資源の対数あたりの能力（λ）",
    },
    "groups.leader.serving.volatility": {
        "en": "Leader: monthly noise of its serving share",
        "zh": "领先方：服务份额的月度波动",
        "ja": "先行側：サービング比率の月次変動",
    },
    "groups.challenger.serving.volatility": {
        "en": "Challenger: monthly noise of its serving share",
        "zh": "追赶方：服务份额的月度波动",
        "ja": "追随側：サービング比率の月次変動",
    },
    "capability.progress_leader": {
        "en": "Leader: own capability gain per month at constant research compute",
        "zh": "领先方：研究算力不变时每月的自身能力进步",
        "ja": "先行側：研究用計算資源が一定のときの月あたりの能力向上",
    },
    "capability.progress_challenger": {
        "en": "Challenger: own capability gain per month at constant research compute",
        "zh": "追赶方：研究算力不变时每月的自身能力进步",
        "ja": "追い上げ側：研究用計算資源が一定のときの月あたりの能力向上",
    },
    "capability.shock_scale": {
        "en": "Size of monthly capability shocks",
        "zh": "每月能力冲击的幅度",
        "ja": "月ごとの能力ショックの大きさ",
    },
    "capability.shock_df": {
        "en": "Heaviness of the shocks' tails (degrees of freedom)",
        "zh": "冲击分布尾部的厚度（自由度）",
        "ja": "ショックの裾の重さ（自由度）",
    },
    "capability.release_noise": {
        "en": "Scatter of a release around its potential",
        "zh": "每次发布相对潜在能力的离散度",
        "ja": "公開モデルの潜在能力からのばらつき",
    },
    "groups.challenger.compute.growth": {
        "en": "Challenger: growth of compute per year",
        "zh": "追赶方：算力的年增长倍数",
        "ja": "追い上げ側：計算資源の年間成長倍率",
    },
    "groups.challenger.compute.share_adjust": {
        "en": "Challenger: correction to its measured share of world compute",
        "zh": "追赶方：对其在全球算力中测得份额的修正系数",
        "ja": "追い上げ側：世界の計算資源に占める測定シェアの補正係数",
    },
    "groups.challenger.releases.rate": {
        "en": "Challenger: frontier releases per month",
        "zh": "追赶方：每月前沿模型发布次数",
        "ja": "追い上げ側：月あたりのフロンティアモデル公開数",
    },
    "groups.challenger.serving.demand_growth": {
        "en": "Challenger: growth of serving demand per year",
        "zh": "追赶方：服务需求的年增长倍数",
        "ja": "追い上げ側：サービス需要の年間成長倍率",
    },
    "groups.challenger.serving.share": {
        "en": "Challenger: share of compute serving users",
        "zh": "追赶方：用于服务用户的算力比例",
        "ja": "追い上げ側：ユーザーへのサービスに使う計算資源の割合",
    },
    "groups.leader.compute.growth": {
        "en": "Leader: growth of compute per year",
        "zh": "领先方：算力的年增长倍数",
        "ja": "先行側：計算資源の年間成長倍率",
    },
    "groups.leader.compute.share_adjust": {
        "en": "Leader: correction to its measured share of world compute",
        "zh": "领先方：对其在全球算力中测得份额的修正系数",
        "ja": "先行側：世界の計算資源に占める測定シェアの補正係数",
    },
    "groups.leader.releases.rate": {
        "en": "Leader: frontier releases per month",
        "zh": "领先方：每月前沿模型发布次数",
        "ja": "先行側：月あたりのフロンティアモデル公開数",
    },
    "groups.leader.serving.demand_growth": {
        "en": "Leader: growth of serving demand per year",
        "zh": "领先方：服务需求的年增长倍数",
        "ja": "先行側：サービス需要の年間成長倍率",
    },
    "groups.leader.serving.share": {
        "en": "Leader: share of compute serving users",
        "zh": "领先方：用于服务用户的算力比例",
        "ja": "先行側：ユーザーへのサービスに使う計算資源の割合",
    },
    "horizon_months": {
        "en": "Forecast horizon, months",
        "zh": "预测期限（月）",
        "ja": "予測期間（月）",
    },
    "trend.common_progress": {
        "en": "Trend model: progress common to both sides",
        "zh": "趋势模型：双方共同的进步",
        "ja": "トレンドモデル：両陣営に共通の進歩",
    },
    "trend.window_months": {
        "en": "Trend model: months of history it learns from",
        "zh": "趋势模型：用于学习的历史月数",
        "ja": "トレンドモデル：学習に使う過去の月数",
    },
    "world.stock_h100e": {
        "en": "World compute stock, H100 equivalents",
        "zh": "全球算力存量（H100当量）",
        "ja": "世界の計算資源ストック（H100換算）",
    },
    "world.volatility": {
        "en": "Month-to-month volatility of compute stocks",
        "zh": "算力存量的月度波动",
        "ja": "計算資源ストックの月ごとの変動",
    },
}
"""Scenario parameters by field path, in each language."""

SEGMENTS: dict[str, dict[str, str]] = {
    "growth_changes": {
        "en": "change of compute growth",
        "zh": "算力增长的变化",
        "ja": "計算資源の成長の変化",
    },
    "shocks": {"en": "compute shock", "zh": "算力冲击", "ja": "計算資源ショック"},
    "factor": {"en": "factor", "zh": "倍数", "ja": "倍率"},
    "add_h100e": {
        "en": "accelerators added (H100 equivalents)",
        "zh": "新增加速器（H100当量）",
        "ja": "追加アクセラレータ（H100換算）",
    },
    "date": {"en": "date", "zh": "日期", "ja": "日付"},
    "group": {"en": "group", "zh": "一方", "ja": "陣営"},
    "note": {"en": "note", "zh": "说明", "ja": "注記"},
    "releases": {"en": "releases", "zh": "发布", "ja": "公開"},
    "rate": {"en": "per month", "zh": "每月", "ja": "月あたり"},
    "compute": {"en": "compute", "zh": "算力", "ja": "計算資源"},
    "growth": {"en": "growth per year", "zh": "年增长", "ja": "年間成長"},
    "serving": {"en": "serving", "zh": "服务", "ja": "サービス"},
    "share": {"en": "share", "zh": "比例", "ja": "割合"},
    "research": {"en": "research", "zh": "研究", "ja": "研究"},
    "algorithms": {"en": "methods", "zh": "算法", "ja": "手法"},
    "capability": {"en": "capability", "zh": "能力", "ja": "能力"},
    "label": {"en": "name", "zh": "名称", "ja": "名称"},
    "lambda": {
        "en": "capability per unit of log research compute (λ)",
        "zh": "每单位对数研究算力带来的能力（λ）",
        "ja": "研究用計算資源の対数1単位あたりの能力（λ）",
    },
    "kappa": {"en": "catch-up speed (κ)", "zh": "追赶速度（κ）", "ja": "追い上げの速さ（κ）"},
    "theta": {
        "en": "own progress per month (θ)",
        "zh": "每月自身进步（θ）",
        "ja": "月あたりの自力の進歩（θ）",
    },
    "calibration": {"en": "calibration applied", "zh": "所用校准", "ja": "適用した較正"},
    "metric": {"en": "benchmark measured", "zh": "所测基准", "ja": "測定するベンチマーク"},
    "world": {"en": "world", "zh": "全球", "ja": "世界"},
    "training": {"en": "training", "zh": "训练", "ja": "学習"},
    "trend": {"en": "trend model", "zh": "趋势模型", "ja": "トレンドモデル"},
    "ensemble": {"en": "ensemble", "zh": "集成", "ja": "アンサンブル"},
    "structural": {"en": "structural model", "zh": "结构模型", "ja": "構造モデル"},
}
"""Words for the parts of a field path a ``PARAMS`` entry does not cover."""

_SEP = {"en": ": ", "zh": "：", "ja": "："}
_JOIN = {"en": ", ", "zh": "，", "ja": "・"}
_ITEM = {"en": "{name} no. {n}", "zh": "第{n}个{name}", "ja": "{name}{n}"}


def term(key: str, lang: str = "en") -> str:
    """Return a concept's word in a language."""
    return TERMS[key][lang]


def part(key: str, lang: str = "en") -> str:
    """Return the name of a part of the gap's decomposition."""
    return PARTS[key][lang] if key in PARTS else key.replace("_", " ")


def label(path: str, lang: str = "en") -> str:
    """Return the human name of a scenario parameter (never its raw path)."""
    if lang not in LANGS:
        lang = "en"
    if path in PARAMS:
        return PARAMS[path][lang]
    pieces = path.split(".")
    role = ""
    if len(pieces) > 2 and pieces[0] == "groups" and pieces[1] in ("leader", "challenger"):
        role = TERMS[pieces[1]][lang] + _SEP[lang]
        pieces = pieces[2:]
    words: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        name = SEGMENTS.get(piece, {}).get(lang) or piece.replace("_", " ")
        if i + 1 < len(pieces) and re.fullmatch(r"\d+", pieces[i + 1]):
            name = _ITEM[lang].format(name=name, n=int(pieces[i + 1]) + 1)
            i += 1
        words.append(name)
        i += 1
    text = _JOIN[lang].join(words)
    text = text[:1].upper() + text[1:] if lang == "en" and not role else text
    return role + text


def labels(paths: list[str], lang: str = "en") -> dict[str, str]:
    """Return the labels of several parameters, by path."""
    return {p: label(p, lang) for p in paths}


def to_dict(lang: str = "en") -> dict[str, object]:
    """Return the glossary in one language (the ``/api/glossary`` body)."""
    return {
        "lang": lang,
        "terms": {k: v[lang] for k, v in TERMS.items()},
        "parts": {k: v[lang] for k, v in PARTS.items()},
        "params": {k: v[lang] for k, v in PARAMS.items()},
    }
