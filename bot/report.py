"""The publisher's view of the question log: python -m bot report, the HTML report, and /stats.

Figures over the last N days (UTC calendar days, today included): questions per day and the share
declined, the most frequent unanswered questions (phrasings that share most of their words are
grouped), the passages readers voted 👎 most, and the passages most often given as answers. Small talk
(你好, 谢谢) is no question and is left out of every figure.
"""

from __future__ import annotations

import argparse
import html
import os
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from bot.config import ConfigError
from bot.questionlog import DAY, LoggedQuestion, LoggedVote, QuestionLog, log_path
from index.records import SMALL_TALK

# greetings, thanks and goodbyes (你好, 谢谢, 再见: index.records.SMALL_TALK) are logged but are no questions:
# counted as declined, they would head the most frequent unanswered questions of any bot that readers greet
GROUP_THRESHOLD = 0.6  # Jaccard similarity of content words at which two phrasings are one question
TELEGRAM_LIMIT = 4096  # UTF-16 code units
FONTS = ('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", '
         '"Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif, '
         '"Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"')
ANSWERED_COLOUR = "#4c78a8"
DECLINED_COLOUR = "#f58518"
DOWN_COLOUR = "#e45756"
UP_COLOUR = "#54a24b"

# The terminal and Telegram show 👍/👎; the HTML page says 赞/踩 in words, since a browser without an
# emoji font (a bare server, a headless screenshot) would draw empty boxes.
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "问答报告",
        "window": "{start} 至 {end}（UTC，{days} 天）",
        "totals": "问题 {asked} · 已回答 {answered} · 未回答 {declined}（{share}）",
        "votes": "👍 {up} · 👎 {down}",
        "latency": "响应时间中位数 {median} ms，p95 {p95} ms",
        "chats": "来自：{chats}",
        "per_day": "每天的问题",
        "declined_short": "未回答",
        "answered_short": "已回答",
        "share_declined": "未回答比例",
        "unanswered": "最常见的未回答问题",
        "variants": "另有 {n} 种问法",
        "liked": "最接近的一段得到 {n} 个👍：也许文章其实能回答",
        "downvoted": "👎 最多的段落",
        "downvoted_page": "被踩最多的段落",
        "up": "赞",
        "down": "踩",
        "article": "文章",
        "asked": "最常被问到的段落",
        "none": "（无）",
        "empty": "这段时间没有记录到问题。",
        "asked_count": "次",
        "questions": "问题",
        "count": "次数",
        "passage": "段落",
        "example": "例如",
        "generated": "生成于 {now}（UTC）· 问题日志：{path}",
        "chart_note": "柱高为问题数，橙色为未回答；柱顶数字为未回答比例。",
    },
    "en": {
        "title": "Question report",
        "window": "{start} to {end} (UTC, {days} days)",
        "totals": "{asked} questions · {answered} answered · {declined} declined ({share})",
        "votes": "👍 {up} · 👎 {down}",
        "latency": "median response {median} ms, p95 {p95} ms",
        "chats": "from: {chats}",
        "per_day": "Questions per day",
        "declined_short": "declined",
        "answered_short": "answered",
        "share_declined": "share declined",
        "unanswered": "Most frequent unanswered questions",
        "variants": "{n} other phrasings",
        "liked": "the closest passage got {n} 👍: perhaps the article does answer it",
        "downvoted": "Passages with the most 👎",
        "downvoted_page": "Passages with the most thumbs down",
        "up": "up",
        "down": "down",
        "article": "article",
        "asked": "Most asked passages",
        "none": "(none)",
        "empty": "No questions were logged in this period.",
        "asked_count": "×",
        "questions": "questions",
        "count": "count",
        "passage": "passage",
        "example": "e.g.",
        "generated": "generated {now} (UTC) · question log: {path}",
        "chart_note": "Bar height is questions asked, orange the declined; the figure on top is the share declined.",
    },
}


@dataclass(frozen=True)
class DayCount:
    date: str  # YYYY-MM-DD, UTC
    asked: int
    declined: int

    @property
    def share_declined(self) -> float:
        return self.declined / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class QuestionGroup:
    """Unanswered questions that share most of their words; phrasing is the most common one."""

    phrasing: str
    count: int
    phrasings: tuple[tuple[str, int], ...]  # every phrasing with its count, most common first
    liked: int = 0  # 👍 readers gave the closest passage, shown on request: perhaps it did answer


@dataclass(frozen=True)
class PassageStat:
    passage_id: str
    title: str | None
    text: str | None
    asked: int  # times given as the answer
    up: int
    down: int
    example: str | None = None  # a question it answered


@dataclass(frozen=True)
class Summary:
    since: float
    until: float
    days: tuple[DayCount, ...]
    asked: int
    answered: int
    declined: int
    up: int
    down: int
    latency_median: float | None
    latency_p95: float | None
    chat_types: tuple[tuple[str, int], ...]
    unanswered: tuple[QuestionGroup, ...]
    most_downvoted: tuple[PassageStat, ...]
    most_asked: tuple[PassageStat, ...]
    source: str = ""
    generated: float = field(default_factory=time.time)

    @property
    def share_declined(self) -> float:
        return self.declined / self.asked if self.asked else 0.0


# -- figures -------------------------------------------------------------------------------------

def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 1.0


def group_questions(questions: Iterable[str], threshold: float = GROUP_THRESHOLD) -> list[QuestionGroup]:
    """Group phrasings whose content words (index.tokens.tokenize) overlap with Jaccard ≥ threshold.

    Phrasings are taken most common first (ties: first asked first); each joins the group whose
    first (most common) phrasing it resembles most, so a group cannot drift away from its own
    question by chaining. A question with no content words groups only with the same text.
    """
    from index.tokens import normalize, tokenize

    counts = Counter(q.strip() for q in questions if q and q.strip())
    groups: list[tuple[frozenset[str], Counter[str]]] = []
    for phrasing, n in sorted(counts.items(), key=lambda kv: -kv[1]):  # ties: first asked first
        tokens = frozenset(tokenize(phrasing)) or frozenset({"\0" + normalize(phrasing)})
        best: Counter[str] | None = None
        best_score = threshold
        for group_tokens, members in groups:
            score = jaccard(tokens, group_tokens)
            if score >= best_score and (best is None or score > best_score):
                best, best_score = members, score
        if best is None:
            groups.append((tokens, Counter({phrasing: n})))
        else:
            best[phrasing] += n
    out = []
    for _, members in groups:
        ordered = tuple(sorted(members.items(), key=lambda kv: -kv[1]))
        out.append(QuestionGroup(phrasing=ordered[0][0], count=sum(members.values()), phrasings=ordered))
    return sorted(out, key=lambda g: -g.count)


def day_start(ts: float) -> float:
    moment = datetime.fromtimestamp(ts, timezone.utc)
    return datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc).timestamp()


def check_days(days: int, now: float) -> None:
    """From 1 to the days since 1970-01-01 (UTC), today included: the log's times count from that day, so
    nothing is earlier, and a window reaching far beyond it starts on no date Python can name."""
    if days < 1:
        raise ConfigError("--days 至少为 1 (--days must be at least 1)")
    most = round((day_start(now) + DAY) / DAY)
    if days > most:
        raise ConfigError(f"--days 最多为 {most}：再往前就早于 1970-01-01，问答日志的时间从那天算起 "
                          f"(--days must be at most {most}, back to 1970-01-01)")


def _date(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))]


def summarize(question_log: QuestionLog, days: int = 7, now: float | None = None, top: int = 10) -> Summary:
    """The figures of the last `days` UTC days, today included."""
    now = time.time() if now is None else now
    check_days(days, now)
    until = day_start(now) + DAY
    since = until - days * DAY
    rows = [r for r in question_log.questions(since, until) if r.reason not in SMALL_TALK]
    votes = question_log.votes(since, until)

    per_day: dict[str, list[int]] = {_date(since + i * DAY): [0, 0] for i in range(days)}
    for row in rows:
        counts = per_day.setdefault(_date(row.ts), [0, 0])
        counts[0] += 1
        counts[1] += 0 if row.answered else 1
    day_counts = tuple(DayCount(date, a, d) for date, (a, d) in sorted(per_day.items()))

    ups: Counter[str] = Counter()
    downs: Counter[str] = Counter()
    for vote in votes:
        if vote.passage_id is not None:
            (ups if vote.vote > 0 else downs)[vote.passage_id] += 1

    answered_rows = [r for r in rows if r.answered and r.passage_id]
    asked = Counter(r.passage_id for r in answered_rows)
    latest: dict[str, LoggedQuestion] = {}
    examples: dict[str, Counter[str]] = defaultdict(Counter)
    for row in answered_rows:
        latest[row.passage_id] = row  # rows are oldest first: the last one wins
        examples[row.passage_id][row.question.strip()] += 1
    known = {pid: (r.title, r.passage_text) for pid, r in latest.items()}
    missing = {pid for pid in downs if pid not in known}
    known.update(question_log.passages(missing) if missing else {})

    def stat(pid: str) -> PassageStat:
        title, text = known.get(pid, (None, None))
        example = examples[pid].most_common(1)[0][0] if examples.get(pid) else None
        return PassageStat(pid, title, text, asked[pid], ups[pid], downs[pid], example)

    most_asked = tuple(stat(pid) for pid, _ in sorted(asked.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
    most_downvoted = tuple(stat(pid) for pid in sorted(downs, key=lambda p: (-downs[p], ups[p], p))[:top])
    latencies = [r.latency_ms for r in rows]
    answered = sum(1 for r in rows if r.answered)
    return Summary(
        since=since, until=until, days=day_counts, asked=len(rows), answered=answered,
        declined=len(rows) - answered, up=sum(1 for v in votes if v.vote > 0), down=sum(1 for v in votes if v.vote < 0),
        latency_median=statistics.median(latencies) if latencies else None,
        latency_p95=_percentile(latencies, 0.95),
        chat_types=tuple(Counter(r.chat_type for r in rows).most_common()),
        unanswered=_with_likes(group_questions(r.question for r in rows if not r.answered)[:top], rows, votes),
        most_downvoted=most_downvoted, most_asked=most_asked,
        source=str(question_log.path), generated=now,
    )


def _with_likes(groups: list[QuestionGroup], rows: list[LoggedQuestion],
                votes: list[LoggedVote]) -> tuple[QuestionGroup, ...]:
    """Each group of declined questions with the 👍 its readers gave the closest passage (the
    看看最接近的一段 button): the declines a publisher may want to look at first."""
    declined = {r.id: r.question.strip() for r in rows if not r.answered}
    liked = Counter(declined[v.question_id] for v in votes if v.vote > 0 and v.question_id in declined)
    return tuple(replace(g, liked=sum(liked[text] for text, _ in g.phrasings)) for g in groups)


# -- plain text ----------------------------------------------------------------------------------

def _share(value: float) -> str:
    return f"{value * 100:.1f}%"


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _clip(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header_lines(s: Summary, labels: dict[str, str]) -> list[str]:
    lines = [
        f"{labels['title']} · " + labels["window"].format(start=_date(s.since), end=_date(s.until - DAY),
                                                           days=len(s.days)),
        labels["totals"].format(asked=s.asked, answered=s.answered, declined=s.declined,
                                share=_share(s.share_declined)),
        labels["votes"].format(up=s.up, down=s.down) + " · "
        + labels["latency"].format(median=_ms(s.latency_median), p95=_ms(s.latency_p95)),
    ]
    if s.chat_types:
        lines.append(labels["chats"].format(chats=", ".join(f"{kind} {n}" for kind, n in s.chat_types)))
    return lines


def _passage_line(p: PassageStat, width: int) -> str:
    return f"[{p.passage_id}] {_clip(p.text, width)}"


def format_text(s: Summary, lang: str = "zh", width: int = 60) -> str:
    """The report for a terminal."""
    labels = LABELS.get(lang, LABELS["zh"])
    lines = _header_lines(s, labels)
    if not s.asked:
        return "\n".join(lines + ["", labels["empty"]])
    lines += ["", labels["per_day"]]
    peak = max(d.asked for d in s.days) or 1
    for d in s.days:
        bar = "█" * round(30 * (d.asked - d.declined) / peak) + "░" * round(30 * d.declined / peak)
        tail = f"  {labels['declined_short']} {d.declined}（{_share(d.share_declined)}）" if d.declined else ""
        lines.append(f"  {d.date[5:]} {d.asked:>5}  {bar}{tail}")
    lines += ["", labels["unanswered"]]
    for g in s.unanswered:
        more = f"  （{labels['variants'].format(n=len(g.phrasings) - 1)}）" if len(g.phrasings) > 1 else ""
        liked = f"  （{labels['liked'].format(n=g.liked)}）" if g.liked else ""
        lines.append(f"  {g.count:>4}×  {_clip(g.phrasing, width)}{more}{liked}")
    if not s.unanswered:
        lines.append("  " + labels["none"])
    lines += ["", labels["downvoted"]]
    for p in s.most_downvoted:
        lines.append(f"  👎{p.down:>3} 👍{p.up:>3}  {_passage_line(p, width)}")
    if not s.most_downvoted:
        lines.append("  " + labels["none"])
    lines += ["", labels["asked"]]
    for p in s.most_asked:
        lines.append(f"  {p.asked:>4}×  👍{p.up} 👎{p.down}  {_passage_line(p, width)}")
    if not s.most_asked:
        lines.append("  " + labels["none"])
    return "\n".join(lines)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def stats_text(question_log: QuestionLog, days: int = 7, lang: str = "zh", now: float | None = None) -> str:
    """A short plain-text summary for the admin /stats command: send it without parse_mode (≤ 4096)."""
    s = summarize(question_log, days=days, now=now, top=5)
    labels = LABELS.get(lang, LABELS["zh"])
    lines = _header_lines(s, labels)
    if s.asked:
        lines += ["", labels["per_day"]]
        lines += [f"{d.date[5:]}  {d.asked}" + (f"（{labels['declined_short']} {d.declined}）" if d.declined else "")
                  for d in s.days[-14:]]
        lines += ["", labels["unanswered"]]
        lines += [f"{g.count}× {_clip(g.phrasing, 50)}" + (f" （{labels['liked'].format(n=g.liked)}）" if g.liked else "")
                  for g in s.unanswered] or [labels["none"]]
        lines += ["", labels["downvoted"]]
        lines += [f"👎{p.down} 👍{p.up} {_passage_line(p, 40)}" for p in s.most_downvoted[:3]] or [labels["none"]]
        lines += ["", labels["asked"]]
        lines += [f"{p.asked}× {_passage_line(p, 40)}" for p in s.most_asked[:3]] or [labels["none"]]
    else:
        lines += ["", labels["empty"]]
    out = "\n".join(lines)
    while utf16_len(out) > TELEGRAM_LIMIT:  # lines are clipped, so only a huge --days gets here
        lines.pop()
        out = "\n".join(lines + ["…"])
    return out


# -- HTML ----------------------------------------------------------------------------------------

def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def axis_ticks(value: int, most: int = 5) -> list[int]:
    """Whole-number ticks 0, step, … reaching value, the step 1, 2 or 5 × 10ⁿ, at most `most` steps."""
    value = max(value, 1)
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * magnitude
            if -(-value // step) <= most:
                return list(range(0, -(-value // step) * step + 1, step))
        magnitude *= 10


def day_chart_svg(s: Summary, labels: dict[str, str]) -> str:
    """Stacked bars: answered (blue) and declined (orange) per day; the declined share above each bar."""
    width, height = 1000, 300
    left, right, top, bottom = 48, 12, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = axis_ticks(max((d.asked for d in s.days), default=0))
    peak = ticks[-1]
    n = max(1, len(s.days))
    slot = plot_w / n
    bar = max(1.0, min(48.0, slot * 0.7))
    every = max(1, -(-n // 16))  # at most ~16 date labels
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(labels["per_day"])}"'
             f' xmlns="http://www.w3.org/2000/svg">']
    for value in ticks:
        y = top + plot_h - plot_h * value / peak
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{value}</text>')
    for i, d in enumerate(s.days):
        x = left + slot * i + (slot - bar) / 2
        answered_h = plot_h * (d.asked - d.declined) / peak
        declined_h = plot_h * d.declined / peak
        y_answered = top + plot_h - answered_h
        y_declined = y_answered - declined_h
        tip = (f"{d.date}: {d.asked} {labels['questions']}, {labels['declined_short']} {d.declined}"
               f" ({_share(d.share_declined)})")
        parts.append(f'<g><title>{_e(tip)}</title>')
        if answered_h > 0:
            parts.append(f'<rect x="{x:.1f}" y="{y_answered:.1f}" width="{bar:.1f}" height="{answered_h:.1f}"'
                         f' fill="{ANSWERED_COLOUR}"/>')
        if declined_h > 0:
            parts.append(f'<rect x="{x:.1f}" y="{y_declined:.1f}" width="{bar:.1f}" height="{declined_h:.1f}"'
                         f' fill="{DECLINED_COLOUR}"/>')
        parts.append("</g>")
        cx = x + bar / 2
        if d.asked and n <= 31:
            parts.append(f'<text x="{cx:.1f}" y="{y_declined - 14:.1f}" text-anchor="middle" class="value">'
                         f'{d.asked}</text>')
            parts.append(f'<text x="{cx:.1f}" y="{y_declined - 3:.1f}" text-anchor="middle" class="share">'
                         f'{d.share_declined * 100:.0f}%</text>')
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{cx:.1f}" y="{height - bottom + 18}" text-anchor="middle" class="axis">'
                         f'{_e(d.date[5:])}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" class="base"/>')
    legend_y = height - 10
    parts.append(f'<rect x="{left}" y="{legend_y - 10}" width="12" height="12" fill="{ANSWERED_COLOUR}"/>'
                 f'<text x="{left + 18}" y="{legend_y}" class="axis">{_e(labels["answered_short"])}</text>'
                 f'<rect x="{left + 90}" y="{legend_y - 10}" width="12" height="12" fill="{DECLINED_COLOUR}"/>'
                 f'<text x="{left + 108}" y="{legend_y}" class="axis">{_e(labels["declined_short"])}</text>'
                 f'<text x="{left + 190}" y="{legend_y}" class="axis">xx% = {_e(labels["share_declined"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _text_width(text: str, size: float = 12) -> float:
    """Rough rendered width: CJK and emoji a full em, the rest about 0.6 em."""
    return sum(size if ord(ch) > 0x2e80 else size * 0.6 for ch in text)


def bar_svg(segments: list[tuple[int, str]], scale: int, label: str, width: int = 220) -> str:
    """One horizontal bar of stacked segments (count, colour) scaled to `scale`, the label after it."""
    height = 18
    room = width - _text_width(label) - 10  # the longest bar still leaves room for its label
    parts = [f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
             f' xmlns="http://www.w3.org/2000/svg">']
    x = 0.0
    for count, colour in segments:
        w = room * count / scale if scale else 0
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="2" width="{w:.1f}" height="{height - 4}" fill="{colour}"/>')
            x += w
    parts.append(f'<text x="{x + 6:.1f}" y="{height - 5}" class="value">{_e(label)}</text></svg>')
    return "".join(parts)


def _passage_cell(p: PassageStat, labels: dict[str, str], show_title: bool) -> str:
    title = f'<div class="title">{_e(p.title)}</div>' if p.title and show_title else ""
    example = (f'<div class="example">{_e(labels["example"])}：{_e(_clip(p.example, 80))}</div>'
               if p.example else "")
    return (f'{title}<div class="text">{_e(_clip(p.text, 160))}</div>'
            f'<div class="pid">{_e(p.passage_id)}</div>{example}')


def render_html(s: Summary, lang: str = "zh") -> str:
    """A self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched)."""
    labels = LABELS.get(lang, LABELS["zh"])
    window = labels["window"].format(start=_date(s.since), end=_date(s.until - DAY), days=len(s.days))
    latency = labels["latency"].format(median=_ms(s.latency_median), p95=_ms(s.latency_p95))
    chats = labels["chats"].format(chats=", ".join(f"{kind} {n}" for kind, n in s.chat_types)) if s.chat_types else ""
    body: list[str] = [f"<h1>{_e(labels['title'])}</h1>", f'<p class="window">{_e(window)}</p>',
                       '<div class="cards">']
    cards = [(s.asked, labels["questions"]), (s.answered, labels["answered_short"]),
             (s.declined, labels["declined_short"]), (_share(s.share_declined), labels["share_declined"]),
             (s.up, labels["up"]), (s.down, labels["down"])]
    body += [f'<div class="card"><div class="figure">{_e(v)}</div><div class="label">{_e(k)}</div></div>'
             for v, k in cards]
    body.append("</div>")
    titles = {p.title for p in s.most_asked + s.most_downvoted if p.title}
    article = f"{labels['article']}：{next(iter(titles))} · " if len(titles) == 1 else ""
    body.append(f'<p class="meta">{_e(article)}{_e(latency)}' + (f" · {_e(chats)}" if chats else "") + "</p>")
    if not s.asked:
        body.append(f"<p>{_e(labels['empty'])}</p>")
    else:
        body.append(f"<h2>{_e(labels['per_day'])}</h2>{day_chart_svg(s, labels)}"
                    f'<p class="note">{_e(labels["chart_note"])}</p>')

        body.append(f"<h2>{_e(labels['unanswered'])}</h2>")
        if s.unanswered:
            scale = s.unanswered[0].count
            body.append(f'<table><tr><th>#</th><th>{_e(labels["questions"])}</th><th>{_e(labels["count"])}</th></tr>')
            for rank, g in enumerate(s.unanswered, 1):
                others = "".join(f"<li>{_e(text)} <span class=\"n\">×{n}</span></li>" for text, n in g.phrasings[1:])
                variants = (f'<details><summary>{_e(labels["variants"].format(n=len(g.phrasings) - 1))}</summary>'
                            f"<ul>{others}</ul></details>") if others else ""
                liked = f'<div class="liked">{_e(labels["liked"].format(n=g.liked))}</div>' if g.liked else ""
                body.append(f'<tr><td class="rank">{rank}</td><td><div class="q">{_e(g.phrasing)}</div>{liked}{variants}'
                            f"</td><td>{bar_svg([(g.count, DECLINED_COLOUR)], scale, str(g.count))}</td></tr>")
            body.append("</table>")
        else:
            body.append(f"<p>{_e(labels['none'])}</p>")

        body.append(f"<h2>{_e(labels['downvoted_page'])}</h2>")
        if s.most_downvoted:
            scale = max(p.down + p.up for p in s.most_downvoted)
            body.append(f'<table><tr><th>#</th><th>{_e(labels["passage"])}</th>'
                        f'<th>{_e(labels["down"])} / {_e(labels["up"])}</th></tr>')
            for rank, p in enumerate(s.most_downvoted, 1):
                bar = bar_svg([(p.down, DOWN_COLOUR), (p.up, UP_COLOUR)], scale,
                              f"{labels['down']} {p.down} · {labels['up']} {p.up}")
                body.append(f'<tr><td class="rank">{rank}</td><td>{_passage_cell(p, labels, len(titles) > 1)}</td>'
                            f"<td>{bar}</td></tr>")
            body.append("</table>")
        else:
            body.append(f"<p>{_e(labels['none'])}</p>")

        body.append(f"<h2>{_e(labels['asked'])}</h2>")
        if s.most_asked:
            scale = s.most_asked[0].asked
            body.append(f'<table><tr><th>#</th><th>{_e(labels["passage"])}</th><th>{_e(labels["count"])}</th></tr>')
            for rank, p in enumerate(s.most_asked, 1):
                votes = f" · {labels['up']} {p.up} · {labels['down']} {p.down}" if p.up or p.down else ""
                bar = bar_svg([(p.asked, ANSWERED_COLOUR)], scale, f"{p.asked}{votes}")
                body.append(f'<tr><td class="rank">{rank}</td><td>{_passage_cell(p, labels, len(titles) > 1)}</td>'
                            f"<td>{bar}</td></tr>")
            body.append("</table>")
        else:
            body.append(f"<p>{_e(labels['none'])}</p>")
    generated = datetime.fromtimestamp(s.generated, timezone.utc).strftime("%Y-%m-%d %H:%M")
    body.append(f'<p class="footer">{_e(labels["generated"].format(now=generated, path=s.source))}</p>')
    html_lang = "zh-CN" if lang == "zh" else "en"
    return f"""<!DOCTYPE html>
<html lang="{html_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(labels['title'])} · {_e(_date(s.since))} – {_e(_date(s.until - DAY))}</title>
<style>
body {{ font-family: {FONTS}; color: #222; background: #fff; margin: 0 auto; max-width: 1100px; padding: 24px 32px;
       line-height: 1.5; }}
h1 {{ margin: 0 0 4px; font-size: 28px; }}
h2 {{ margin: 32px 0 8px; font-size: 20px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }}
.window, .meta, .note, .footer {{ color: #666; margin: 4px 0; }}
.note {{ font-size: 13px; }}
.footer {{ margin-top: 32px; font-size: 12px; word-break: break-all; }}
.cards {{ display: flex; gap: 12px; margin: 16px 0 8px; flex-wrap: wrap; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: 8px 16px; min-width: 110px; }}
.figure {{ font-size: 26px; font-weight: 600; }}
.label {{ color: #666; font-size: 13px; }}
svg text {{ font-family: {FONTS}; }}
svg.chart {{ width: 100%; height: auto; }}
.grid {{ stroke: #eee; }}
.base {{ stroke: #999; }}
.axis {{ font-size: 12px; fill: #555; }}
.value {{ font-size: 12px; fill: #222; }}
.share {{ font-size: 11px; fill: {DECLINED_COLOUR}; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #eee; }}
th {{ color: #666; font-weight: normal; font-size: 13px; }}
td.rank {{ color: #999; width: 24px; }}
td:last-child {{ width: 230px; }}
.title {{ font-weight: 600; font-size: 13px; }}
.text {{ font-size: 14px; }}
.pid, .example, .n {{ color: #888; font-size: 12px; }}
.q {{ font-size: 15px; }}
.liked {{ font-size: 13px; color: {UP_COLOUR}; }}
details {{ font-size: 13px; color: #555; }}
</style>
</head>
<body>
{chr(10).join(body)}
</body>
</html>
"""


# -- command -------------------------------------------------------------------------------------

def report_command(args: argparse.Namespace) -> int:
    """python -m bot report [--days N] [--html FILE] [--log PATH]"""
    check_days(args.days, time.time())  # the command line first: a bad --days is named whatever the log
    given = getattr(args, "log", None)
    path = Path(given) if given else log_path()
    if path is None:
        raise ConfigError("问答日志已关闭（QUESTION_LOG=off），没有可报告的问题；另一个日志用 --log PATH "
                          "(the question log is off: QUESTION_LOG=off)")
    if not path.is_file():
        if given:  # whichever chose the path, so that the right one is corrected
            source = "路径由 --log 给出"
        elif os.environ.get("QUESTION_LOG", "").strip():
            source = "路径由 QUESTION_LOG 设定"
        else:
            source = "默认路径；另一个日志用 QUESTION_LOG 或 --log PATH"
        raise ConfigError(f"没有找到问答日志 {path}：机器人运行时才写它（{source}）"
                          "(no question log there: the bot writes it while serving)")
    with QuestionLog(path) as question_log:
        summary = summarize(question_log, days=args.days)
    print(format_text(summary))
    if args.html:
        write_html(Path(args.html), summary)
        print(f"\nHTML: {args.html}")
    return 0


def write_html(path: Path, summary: Summary) -> None:
    """The HTML report in FILE; a path that cannot be written (no such folder, a folder, no permission) is
    one line saying why, as any other mistake on the command line, not a traceback."""
    try:
        path.write_text(render_html(summary), encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"--html 无法写入 {path}：{error.strerror or error} (cannot write the HTML report)") from None
