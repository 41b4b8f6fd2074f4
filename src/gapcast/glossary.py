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
    "capability.beta": {
        "en": "Capability per tenfold training compute (fitted)",
        "zh": "训练算力每增加十倍带来的能力提升（拟合值）",
        "ja": "学習計算量10倍あたりの能力向上（推定値）",
    },
    "capability.efficiency_half_life_months": {
        "en": "Half-life of the unexplained part of the gap, months",
        "zh": "差距中未解释部分的半衰期（月）",
        "ja": "差の説明できない部分の半減期（月）",
    },
    "capability.group_term": {
        "en": "Challenger's offset at equal compute (fitted)",
        "zh": "同等算力下追赶方的偏差（拟合值）",
        "ja": "同じ計算量での追い上げ側の差（推定値）",
    },
    "capability.progress": {
        "en": "Capability gained per year at equal compute (fitted)",
        "zh": "同等算力下每年的能力进步（拟合值）",
        "ja": "同じ計算量での年間の能力向上（推定値）",
    },
    "capability.release_noise": {
        "en": "Scatter of a release around its potential",
        "zh": "每次发布相对潜在能力的离散度",
        "ja": "公開モデルの潜在能力からのばらつき",
    },
    "ensemble.compute_weight": {
        "en": "Weight of the compute model in the ensemble",
        "zh": "集成中算力模型的权重",
        "ja": "アンサンブルにおける計算資源モデルの重み",
    },
    "groups.challenger.algorithms.lag_months": {
        "en": "Challenger: months behind the best methods today",
        "zh": "追赶方：目前落后于最佳方法的月数",
        "ja": "追い上げ側：現在、最良の手法から遅れている月数",
    },
    "groups.challenger.algorithms.relative_rate": {
        "en": "Challenger: pace of its methods relative to the leader's",
        "zh": "追赶方：算法进步速度相对于领先方的比值",
        "ja": "追い上げ側：手法の進歩の速さ（先行側比）",
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
    "groups.challenger.serving.max_share": {
        "en": "Challenger: largest share of compute serving can take",
        "zh": "追赶方：服务可占用的最大算力比例",
        "ja": "追い上げ側：サービスが使える計算資源の最大割合",
    },
    "groups.challenger.serving.share": {
        "en": "Challenger: share of compute serving users",
        "zh": "追赶方：用于服务用户的算力比例",
        "ja": "追い上げ側：ユーザーへのサービスに使う計算資源の割合",
    },
    "groups.leader.algorithms.lag_months": {
        "en": "Leader: months behind the best methods today",
        "zh": "领先方：目前落后于最佳方法的月数",
        "ja": "先行側：現在、最良の手法から遅れている月数",
    },
    "groups.leader.algorithms.relative_rate": {
        "en": "Leader: pace of its methods relative to the best",
        "zh": "领先方：算法进步速度相对于最佳水平的比值",
        "ja": "先行側：手法の進歩の速さ（最良比）",
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
    "groups.leader.serving.max_share": {
        "en": "Leader: largest share of compute serving can take",
        "zh": "领先方：服务可占用的最大算力比例",
        "ja": "先行側：サービスが使える計算資源の最大割合",
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
    "training.run_months": {
        "en": "Length of the largest training run, months",
        "zh": "最大训练任务的时长（月）",
        "ja": "最大の学習の期間（月）",
    },
    "training.run_share": {
        "en": "Share of research compute in the largest training run",
        "zh": "最大训练任务占研究算力的比例",
        "ja": "最大の学習が研究用計算資源に占める割合",
    },
    "training.utilization": {
        "en": "Utilisation of accelerators in training",
        "zh": "训练中加速器的利用率",
        "ja": "学習時のアクセラレータ利用率",
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
    "world.diffusion_lag_months": {
        "en": "Open-weight diffusion: most months any group stays behind the best methods",
        "zh": "开放权重扩散：任何一方落后于最佳方法的最长月数",
        "ja": "オープンウェイトの普及：どの陣営も最良の手法から遅れる最大の月数",
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
