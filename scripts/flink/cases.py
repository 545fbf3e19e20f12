"""The inputs of the golden corpus: every record the real Flink job is asked about, with a stable id.

Each case is a source record (value bytes or None for a tombstone, key bytes or None) plus a class and a note
that says what it probes. `solo` is only a scheduling hint (the case is expected to fail the job, so it gets a
job of its own straight away); the outcome is always what the job does, and corpus.py moves any case that
fails a shared job into a job of its own anyway.
"""

import dataclasses
import datetime
import json
import random
import struct
from typing import Optional


@dataclasses.dataclass
class Case:
    id: str
    cls: str
    note: str
    value: Optional[bytes]
    key: Optional[bytes] = b'{"ticker": "AAPL"}'
    solo: bool = False


ET = '"2023-08-08 04:21:56.123456"'
TK = '"AAPL"'
PR = "12.5"


def rec(event_time=ET, ticker=TK, price=PR, pre=(), post=(), sep=", ", colon=": ") -> bytes:
    """A value with raw JSON fragments for the three fields (None leaves a field out), in the producer's
    layout (`json.dumps`: ", " and ": "); `pre`/`post` are (raw name, raw value) pairs put before/after."""
    fields = [*pre, ("event_time", event_time), ("ticker", ticker), ("price", price), *post]
    parts = [f'"{name}"{colon}{raw}' for name, raw in fields if raw is not None]
    return ("{" + sep.join(parts) + "}").encode("utf-8")


def s(text: str, ascii_only: bool = False) -> str:
    """A JSON string literal (raw UTF-8 unless ascii_only, as Python's default json.dumps writes it)."""
    return json.dumps(text, ensure_ascii=ascii_only)


def key_of(ticker_json: str) -> bytes:
    return ('{"ticker": ' + ticker_json + "}").encode("utf-8")


# ---------------------------------------------------------------------------------------------------------
# The original producer (producer.py): Stock.create() -> 17 records, json.dumps key and value.


TICKERS = '["AAPL", "ACN", "ADBE", "AMD", "AVGO", "CRM", "CSCO", "IBM", "INTC", "MA", "MSFT", "NVDA", "ORCL", "PYPL", "QCOM", "TXN", "V"]'


@dataclasses.dataclass
class Stock:  # producer.py's class; auto() takes the clock so that the corpus is reproducible
    event_time: str
    ticker: str
    price: float

    def asdict(self):
        return dataclasses.asdict(self)

    @classmethod
    def auto(cls, ticker: str, now: datetime.datetime, rng: random.Random):
        event_time = now.strftime("%Y-%m-%d %H:%M:%S.%f")
        price = round(rng.random() * 100, 2)
        return cls(event_time, ticker, price)

    @staticmethod
    def create(clock, rng):
        return [Stock.auto(ticker, clock(), rng) for ticker in json.loads(TICKERS)]


def producer_cases(records: int = 1500, seed: int = 20230828) -> list:
    """The first `records` records of repeated Stock.create() calls (17 records each), as producer.py sends
    them, on a simulated clock: a few microseconds between records, 5-10 s between rounds (producer.py's
    sleep). Crafted on top: every 9th round starts on a fraction with trailing zeros (.000000, .120000,
    .484810, ...), one round crosses midnight into a new year, and ~4% of the records get a whole-number
    price (round() gives one in ~1% of records anyway)."""
    rng = random.Random(seed)
    t = datetime.datetime(2026, 11, 24, 1, 2, 3, 484810)
    crafted_fractions = [0, 120000, 484810, 100000, 500000, 10, 999999, 1000, 990000, 7]
    cases = []
    rounds = -(-records // 17)
    for r in range(rounds):
        crafted = None
        if r % 9 == 3:  # the whole round starts exactly on a crafted fraction
            crafted = crafted_fractions[(r // 9) % len(crafted_fractions)]
            t = t.replace(microsecond=crafted)
        if r == rounds // 2:  # a round that crosses midnight
            t = datetime.datetime(2026, 12, 31, 23, 59, 59, 999990)
        step = {"t": t}

        def clock():
            now = step["t"]  # datetime.now(): a few microseconds pass between two records of a round
            step["t"] = now + datetime.timedelta(microseconds=rng.randint(3, 40))
            return now

        stocks = Stock.create(clock, rng)
        for i, stock in enumerate(stocks):
            note = "producer.py"
            if crafted is not None and i == 0:
                note += f"; event time fraction crafted to .{crafted:06d}"
            if rng.random() < 0.04:  # crafted whole-number price
                stock.price = float(rng.randint(0, 100))
                note += "; price crafted to a whole number"
            elif stock.price == int(stock.price):
                note += "; whole-number price from round()"
            key = json.dumps({"ticker": stock.ticker}).encode("utf-8")
            value = json.dumps(stock.asdict()).encode("utf-8")
            cases.append(Case(f"prod-{len(cases):04d}", "original-producer", note, value, key))
        t = step["t"] + datetime.timedelta(seconds=rng.randint(5, 10), microseconds=rng.randint(0, 999999))
    return cases[:records]


# ---------------------------------------------------------------------------------------------------------
# Crafted cases


def event_time_cases() -> list:
    c = []

    def et(id_, raw_json, note, solo=False):
        c.append(Case("et-" + id_, "event-time", note, rec(event_time=raw_json), solo=solo))

    base = "2023-08-08 04:21:56"
    et("frac0", s(base), "no fraction")
    for n in range(1, 10):
        et(f"frac{n}", s(base + "." + "123456789"[:n]), f"{n} fraction digit(s)")
    et("frac10", s(base + ".1234567891"), "10 fraction digits", solo=True)
    et("dot-only", s(base + "."), "a point with no fraction digits")
    for frac in ["000000", "120000", "484810", "100", "000", "0", "000000000", "000001", "0000001", "000000001",
                 "500", "999", "9995", "999999999"]:
        et(f"f{frac}", s(base + "." + frac), f"fraction .{frac} (trailing zeros / sub-millisecond digits)")
    et("eoy-999999", s("2023-12-31 23:59:59.999999"), "last microsecond of a year: truncated or rounded to ms?")
    et("pre-epoch-999999", s("1969-12-31 23:59:59.999999"), "before the epoch with a sub-ms fraction")
    et("pre-epoch-0005", s("1969-12-31 23:59:59.0005"), "before the epoch, 0.5 ms")
    et("epoch", s("1970-01-01 00:00:00"), "the epoch")
    et("epoch-1us", s("1970-01-01 00:00:00.000001"), "one microsecond after the epoch")
    et("iso-t", s("2026-11-24T01:02:03.123456"), "ISO form with T", solo=True)
    et("iso-t-nofrac", s("2026-11-24T01:02:03"), "ISO form with T, no fraction", solo=True)
    et("iso-lower-t", s("2026-11-24t01:02:03"), "lower-case t separator", solo=True)
    et("z", s("2026-11-24 01:02:03.123456Z"), "Z suffix", solo=True)
    et("iso-z", s("2026-11-24T01:02:03.123Z"), "ISO form with Z", solo=True)
    et("offset", s("2026-11-24 01:02:03+02:00"), "+02:00 offset", solo=True)
    et("iso-offset", s("2026-11-24T01:02:03.123+02:00"), "ISO form with +02:00 offset", solo=True)
    et("utc-word", s("2026-11-24 01:02:03 UTC"), "' UTC' suffix", solo=True)
    et("date-only", s("2026-11-24"), "date only", solo=True)
    et("no-seconds", s("2026-11-24 01:02"), "no seconds", solo=True)
    et("time-only", s("01:02:03"), "time only", solo=True)
    et("empty", s(""), "empty string", solo=True)
    et("single-digits", s("2023-8-8 4:21:56"), "single-digit month, day and hour", solo=True)
    et("single-hour", s("2023-08-08 4:21:56"), "single-digit hour", solo=True)
    et("single-second", s("2023-08-08 04:21:5"), "single-digit second", solo=True)
    et("lead-space", s(" " + base), "leading space", solo=True)
    et("trail-space", s(base + " "), "trailing space", solo=True)
    et("trail-space-frac", s(base + ".123 "), "trailing space after the fraction", solo=True)
    et("double-space", s("2023-08-08  04:21:56"), "two spaces between date and time", solo=True)
    et("lead-tab", s("\t" + base), "leading tab (escaped \\t)", solo=True)
    et("trail-newline", s(base + "\n"), "trailing newline (escaped \\n)", solo=True)
    et("slashes", s("2023/08/08 04:21:56"), "slashes in the date", solo=True)
    et("comma-frac", s("2023-08-08 04:21:56,123"), "comma before the fraction", solo=True)
    et("underscore", s("2023-08-08_04:21:56"), "underscore separator", solo=True)
    et("basic-iso", s("20230808 042156"), "ISO basic format", solo=True)
    et("escaped-space", '"2023-08-08\\u002004:21:56.5"', "the space written as the JSON escape \\u0020")
    et("escaped-digit", '"\\u0032023-08-08 04:21:56"', "the first digit written as the JSON escape \\u0032")
    et("fullwidth-digits", s("２０２３-08-08 04:21:56"), "full-width digits in the year", solo=True)
    et("arabic-digits", s("٢٠٢٣-08-08 04:21:56"), "Arabic-Indic digits in the year", solo=True)
    for d in ["2023-02-29", "2023-02-30", "2023-02-31", "2023-04-31", "2024-02-29", "2024-02-30", "2100-02-29",
              "2000-02-29", "2023-06-31", "2023-13-01", "2023-00-10", "2023-01-32", "2023-01-00", "2023-12-31"]:
        et(d, s(d + " 23:59:59.999"), f"calendar date {d}", solo=d[5:7] in ("13", "00") or d[8:] in ("32", "00"))
    for tm in ["24:00:00", "24:00:00.000", "24:00:01", "23:59:60", "25:00:00", "12:60:00", "12:00:60", "00:00:00"]:
        et("t" + tm.replace(":", "").replace(".", "_"), s("2023-12-31 " + tm), f"time of day {tm}",
           solo=tm in ("24:00:01", "23:59:60", "25:00:00", "12:60:00", "12:00:60"))
    et("leap-sec-jun", s("2016-12-31 23:59:60.5"), "a real leap second with fraction", solo=True)
    for id_, y, note in [
        ("y0000", "0000-01-01 00:00:00", "year 0000"),
        ("y0001", "0001-01-01 00:00:00", "year 0001"),
        ("y1582-gap", "1582-10-10 12:00:00", "inside the Julian/Gregorian cut-over gap (java.util vs java.time)"),
        ("y1900", "1900-01-01 00:00:00.5", "1900, before any zone history"),
        ("y9999-max", "9999-12-31 23:59:59.999999999", "last nanosecond of year 9999"),
        ("y+10000", "+10000-01-01 00:00:00", "year +10000 (sign, five digits)"),
        ("y10000", "10000-01-01 00:00:00", "year 10000 without sign"),
        ("y+2023", "+2023-08-08 04:21:56", "four-digit year with a + sign"),
        ("y-0001", "-0001-01-01 00:00:00", "year -0001"),
        ("y-0000", "-0000-01-01 00:00:00", "year -0000"),
        ("y-2023", "-2023-08-08 04:21:56.5", "year -2023 with a fraction"),
        ("y+12345", "+12345-06-07 08:09:10", "year +12345"),
        ("y-max", "+999999999-12-31 23:59:59.999", "LocalDateTime.MAX year: epoch millis overflow a long"),
        ("y-min", "-999999999-01-01 00:00:00", "LocalDateTime.MIN year"),
        ("y-too-big", "+1000000000-01-01 00:00:00", "year beyond LocalDate range (10 digits)"),
        ("y-long-max-ms", "+292278994-08-17 07:12:55.807", "Long.MAX_VALUE epoch milliseconds"),
        ("y-long-max-ms+1", "+292278994-08-17 07:12:55.808", "one millisecond past Long.MAX_VALUE epoch milliseconds"),
        ("y+300000000", "+300000000-01-01 00:00:00", "beyond Long epoch milliseconds"),
        ("y-long-min-ms", "-292275055-05-16 16:47:04.192", "Long.MIN_VALUE epoch milliseconds"),
        ("y-long-min-ms-1", "-292275055-05-16 16:47:04.191", "one millisecond before Long.MIN_VALUE epoch milliseconds"),
        ("y-300000000", "-300000000-01-01 00:00:00.25", "far before Long epoch milliseconds"),
    ]:
        et(id_, s(y), note, solo=id_ in ("y10000", "y+2023", "y-0000", "y-too-big"))
    c.append(Case("et-number", "event-time", "event_time as a JSON number (epoch ms)", rec(event_time="1691468516000"), solo=True))
    c.append(Case("et-float", "event-time", "event_time as a JSON float", rec(event_time="1.5"), solo=True))
    c.append(Case("et-true", "event-time", "event_time as true", rec(event_time="true"), solo=True))
    c.append(Case("et-null", "event-time", "event_time null", rec(event_time="null")))
    c.append(Case("et-missing", "event-time", "event_time missing", rec(event_time=None)))
    c.append(Case("et-object", "event-time", "event_time as an object", rec(event_time='{"a": 1}'), solo=True))
    c.append(Case("et-array", "event-time", "event_time as an array holding a valid time",
                  rec(event_time='["2023-08-08 04:21:56"]'), solo=True))
    return c


def price_cases() -> list:
    c = []

    def pr(id_, raw, note, solo=False):
        c.append(Case("pr-" + id_, "price", note, rec(price=raw), solo=solo))

    for raw in ["12", "44.0", "12.50", "-0.0", "-0", "0", "0.0", "-12.5", "100", "0.1", "0.30000000000000004",
                "0.001", "0.00099999", "0.0001", "1e-3", "1E-3", "1e+2", "1E2", "1.5E-7", "9999999.999",
                "9999999.0", "1e7", "10000000", "12345678.9", "1.0E22", "1e22", "1e23", "2e23", "8.41e21",
                "5e-324", "4.9e-324", "3e-324", "2e-324", "1e-400", "2.2250738585072014E-308",
                "2.225073858507201E-308", "2.2250738585072011e-308", "1.7976931348623157e308",
                "1.7976931348623158e308", "1.7976931348623159e308", "1e308", "1e309", "-1e400",
                "9007199254740992", "9007199254740993", "12345678901234567890", "123456789012345680000",
                "-9223372036854775808", "9223372036854775807", "18446744073709551616",
                "0.1e1", "0E0", "-0E-0", "1.000000000000000000000000000001",
                "0.000000000000000000000000000000000000000000001e45"]:
        pr(raw.replace(".", "_").replace("+", "p").replace("-", "m"), raw, f"JSON number {raw}")
    pr("1e400-digits", "1" + "0" * 400, "an integer of 401 digits (beyond double range)")
    pr("1000-digits", "9" * 1000, "an integer of 1000 digits (Jackson's default number length limit)")
    pr("1001-digits", "9" * 1001, "an integer of 1001 digits (over Jackson's number length limit)", solo=True)
    pr("1000-digit-frac", "0." + "3" * 998, "a fraction of 1000 characters")
    pr("1001-digit-frac", "0." + "3" * 999, "a fraction of 1001 characters")
    for raw in ["012", "00", "-012", "+1", ".5", "5.", "1.e5", "1e", "-", "0x10", "1_000", "--1"]:
        pr("bad-" + raw.replace(".", "_").replace("+", "p").replace("-", "m"), raw, f"invalid JSON number {raw}",
           solo=True)
    for raw in ["NaN", "Infinity", "-Infinity", "+Infinity", "nan", "inf", "-NaN"]:
        pr("bare-" + raw.replace("+", "p").replace("-", "m"), raw, f"non-standard bare token {raw}", solo=True)

    # Python's json.dumps writes non-finite floats as bare tokens (allow_nan=True): the producer could do this.
    for name, value in [("nan", float("nan")), ("inf", float("inf")), ("minf", float("-inf"))]:
        v = json.dumps({"event_time": "2023-08-08 04:21:56.123456", "ticker": "AAPL", "price": value})
        c.append(Case(f"pr-pydumps-{name}", "price", f"Python json.dumps of price {value!r} (bare {v.split(': ')[-1][:-1]})",
                      v.encode(), solo=True))

    # Numeric strings: Flink reads a DOUBLE from a JSON string too.
    numeric_strings = ["12.5", " 12 ", "1e5", "NaN", "Infinity", "-Infinity", "+Infinity", "inf", "nan", "0x10p0",
                       "0x1.8p1", "-0x1p-1074", "0x10", "12d", "12f", "12D", "12.5F", "1_000", "1,5", "abc", "", " ",
                       "\t12\n", "\u00a012", "１２", "12.5.1", "1e400", "-0", ".5", "5.", "+5", "0012", "1e-400",
                       "12345678901234567890", "0.1", "4.9e-324", "1.0E22", "12e", "1e5x", "\u000012"]
    likely_fatal = {"inf", "nan", "0x10", "1_000", "1,5", "abc", "", " ", "\u00a012", "１２", "12.5.1", "12e", "1e5x"}
    for i, text in enumerate(numeric_strings):
        c.append(Case(f"pr-str{i:02d}", "price", f"price as the JSON string {text!r}", rec(price=s(text, True)),
                      solo=text in likely_fatal))
    for raw, note in [("true", "true"), ("false", "false"), ("{}", "an empty object"), ('{"v": 1}', "an object"),
                      ("[]", "an empty array"), ("[1]", "an array [1]"), ("null", "null")]:
        c.append(Case("pr-" + note.replace(" ", "-").replace("[", "").replace("]", ""), "price", f"price as {note}",
                      rec(price=raw), solo=raw not in ("null",)))
    c.append(Case("pr-missing", "price", "price missing", rec(price=None)))

    # A few dozen doubles across many magnitudes, in their shortest form (Python repr, as json.dumps writes
    # them): Java's Double.toString (JDK 17) is not always the shortest form, which a JS port must mimic.
    rng = random.Random(4242)
    for i in range(48):
        if i < 24:
            bits = rng.getrandbits(64)
            x = struct.unpack("<d", struct.pack("<Q", bits))[0]
            if x != x or x in (float("inf"), float("-inf")):
                x = 1.0 / (i + 3)
        else:
            x = rng.random() * 10 ** rng.randint(-12, 25)
            x = round(x, rng.randint(0, 6)) if i % 3 == 0 else x
        pr(f"rand{i:02d}", repr(x), f"random double {repr(x)}")
    # Doubles known to print differently with JDK < 19's Double.toString (not shortest) than with the
    # shortest-round-trip algorithm of JavaScript / Python.
    for raw in ["2.0E-3", "1.0E23", "2.82879384806159E17", "1.9400994884341945E25", "5.0E-324", "1.0E-5",
                "9.9E-324", "2.0E-323", "1.1E-322", "1.2345E-7", "4.8726570057E288", "7.68905065813E17",
                "1.790086667993E18", "2.273317134858E18", "7.2E-321"]:
        pr("jdk-" + raw.replace(".", "_").replace("-", "m"), raw, f"a double whose JDK 17 Double.toString may not be shortest ({raw})")
    return c


def ticker_cases() -> list:
    c = []

    def tk(id_, raw, note, solo=False):
        c.append(Case("tk-" + id_, "ticker", note, rec(ticker=raw), solo=solo))

    for id_, text, note in [
        ("normal", "MSFT", "normal"), ("one", "V", "one character"), ("six", "ABCDEF", "6 characters (VARCHAR(6))"),
        ("seven", "ABCDEFG", "7 characters (over VARCHAR(6))"), ("long", "TOOLONGTICKER", "13 characters"),
        ("empty", "", "empty string"), ("spaces", " AAPL ", "leading/trailing spaces"), ("lower", "aapl", "lower case"),
        ("umlaut", "ÄPFEL", "non-ASCII (raw UTF-8)"), ("kanji", "株式", "CJK (raw UTF-8)"),
        ("kanji7", "株式会社トヨタ", "7 CJK characters"), ("nfd", "e\u0301X", "combining accent (NFD)"),
        ("astral", "😀X", "astral character (raw UTF-8)"), ("astral4", "😀😀😀😀", "4 astral characters = 8 UTF-16 units"),
        ("quote", '"', "double quote"), ("backslash", "\\", "backslash"), ("slash", "/", "solidus"),
        ("del", "\u007f", "DEL U+007F"), ("ls", "\u2028", "LINE SEPARATOR U+2028"), ("ps", "\u2029", "U+2029"),
        ("c1", "\u0080", "C1 control U+0080"), ("c1-9f", "\u009f", "C1 control U+009F"), ("zwnbsp", "\ufeff", "U+FEFF inside"),
        ("fffd", "\ufffd", "U+FFFD"), ("ffff", "\uffff", "noncharacter U+FFFF"), ("html", "<a&'>", "HTML-ish characters"),
        ("nbsp", "\u00a0A", "no-break space"),
    ]:
        tk(id_, s(text), f"ticker: {note}")
    tk("umlaut-esc", s("ÄPFEL", True), "ticker: non-ASCII as \\u escapes (Python json.dumps default)")
    tk("kanji-esc", s("株式", True), "ticker: CJK as \\u escapes")
    tk("astral-esc", s("😀X", True), "ticker: astral as a \\ud83d\\ude00 surrogate-pair escape")
    tk("astral-esc-upper", '"\\uD83D\\uDE00X"', "ticker: surrogate pair escape in upper-case hex")
    for ch in ["\u0000", "\u0001", "\u001f", "\n", "\t", "\b", "\f", "\r", "\u000b", "\u001b"]:
        tk(f"ctl-{ord(ch):02x}", s("A" + ch + "B"), f"ticker: control character U+{ord(ch):04X} (as json.dumps escapes it)")
    tk("ctl-upper-esc", '"A\\u001FB"', "ticker: control escape with upper-case hex")
    tk("escaped-slash", '"A\\/B"', "ticker: escaped solidus \\/")
    tk("unknown-escape", '"A\\xB"', "ticker: invalid escape \\x", solo=True)
    tk("escaped-quote-apos", "\"A\\'B\"", "ticker: invalid escape \\'", solo=True)
    tk("short-u-escape", '"A\\u12"', "ticker: truncated \\u escape", solo=True)
    for b in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x7F]:
        v = rec(ticker='"A' + chr(b) + 'B"')
        c.append(Case(f"tk-raw-{b:02x}", "ticker", f"ticker: raw (unescaped) byte 0x{b:02X} inside the string", v))
    tk("lone-high", '"\\ud800"', "ticker: lone high surrogate written as the escape \\ud800")
    tk("lone-high-x", '"\\ud800A"', "ticker: lone high surrogate followed by a letter")
    tk("lone-low", '"\\udc00"', "ticker: lone low surrogate escape")
    tk("reversed-pair", '"\\ude00\\ud83d"', "ticker: surrogate pair in the wrong order")
    tk("num-int", "12", "ticker as the number 12")
    tk("num-float", "1.0", "ticker as the number 1.0")
    tk("num-exp", "1e2", "ticker as the number 1e2")
    tk("num-negzero", "-0", "ticker as the number -0")
    tk("num-big", "12345678901234567890", "ticker as a number above 2^64")
    tk("num-float-long", "0.30000000000000004", "ticker as 0.30000000000000004")
    tk("num-1e400", "1e400", "ticker as the number 1e400")
    tk("true", "true", "ticker as true")
    tk("false", "false", "ticker as false")
    tk("object", '{"a": 1, "b": [1, "x"]}', "ticker as an object (with spaces)")
    tk("array", '[1, "x", null]', "ticker as an array")
    tk("empty-object", "{}", "ticker as {}")
    tk("num-trailing-zero", "1.50", "ticker as the number 1.50 (raw text kept or re-formatted?)")
    tk("num-upper-exp", "1E+2", "ticker as the number 1E+2")
    tk("object-reformat", '{"b": "\\u00e9\\n\\u001f", "a": 1.50, "c": 1E+2, "d": -0.0}',
       "ticker as an object whose strings and numbers would be re-serialized")
    tk("object-dup-keys", '{"a": 1, "a": 2}', "ticker as an object with a duplicate key")
    tk("array-numbers", "[1.0, 1e2, 12345678901234567890, 0.1]", "ticker as an array of numbers")
    tk("array-astral", '["😀", "\\ud800"]', "ticker as an array holding an astral character and a lone surrogate")
    tk("null", "null", "ticker null")
    tk("missing", None, "ticker missing")
    c.append(Case("tk-nested-deep", "ticker", "ticker as an object nested 50 deep",
                  rec(ticker='{"a":' * 50 + "1" + "}" * 50)))
    return c


def structure_cases() -> list:
    c = []
    good = rec()
    compact = rec(sep=",", colon=":")

    def st(id_, value, note, key=b'{"ticker": "AAPL"}', solo=False):
        c.append(Case("st-" + id_, "structure", note, value, key, solo))

    st("python-spacing", good, 'Python json.dumps spacing ({"event_time": ..., "ticker": ..., "price": 12.5})')
    st("compact", compact, "compact JSON")
    st("pretty", json.dumps(json.loads(good), indent=2).encode(), "pretty-printed with newlines")
    st("crlf-ws", b'\r\n{\r\n"event_time"\t:\t"2023-08-08 04:21:56.123456" ,"ticker":"AAPL","price":12.5}\r\n',
       "CR LF and tab whitespace around tokens")
    st("reordered", b'{"price": 12.5, "ticker": "AAPL", "event_time": "2023-08-08 04:21:56.123456"}', "fields reversed")
    st("empty-object", b"{}", "{}")
    st("extra-before", rec(pre=[("id", "7"), ("note", '"x"')]), "extra fields before")
    st("extra-after", rec(post=[("id", "7"), ("nested", '{"ticker": "ZZZ", "price": 1}')]), "extra fields after (nested lookalike)")
    st("extra-nan-skipped", rec(post=[("x", "NaN")]), "bare NaN in an extra field", solo=True)
    st("extra-bad-escape", rec(post=[("x", '"\\q"')]), "invalid escape in an extra (skipped) string", solo=True)
    st("extra-raw-ctl", rec(post=[("x", '"a\x01b"')]), "raw control char in an extra string")
    st("extra-1001-digits", rec(post=[("x", "1" * 1001)]), "1001-digit number in an extra field", solo=True)
    st("extra-1001-before", rec(pre=[("x", "1" * 1001)]), "1001-digit number in an extra field before the row fields", solo=True)
    st("extra-deep-1000", rec(post=[("x", "[" * 999 + "]" * 999)]), "nesting depth 1000 in an extra field (after)")
    st("extra-deep-1001", rec(post=[("x", "[" * 1000 + "]" * 1000)]), "nesting depth 1001 in an extra field (after)", solo=True)
    st("extra-deep-1001-before", rec(pre=[("x", "[" * 1000 + "]" * 1000)]), "nesting depth 1001 in an extra field (before)", solo=True)
    st("extra-deep-999-before", rec(pre=[("x", "[" * 998 + "]" * 998)]), "nesting depth 999 in an extra field (before)")
    st("nested-row", b'{"row": {"event_time": "2023-08-08 04:21:56", "ticker": "AAPL", "price": 1}}', "the row nested one level down")
    st("null", b"null", "JSON null", solo=True)
    st("array-empty", b"[]", "[]")
    st("array-of-row", b"[" + good + b"]", "the row inside an array")
    st("array-two-rows", b"[" + good + b", " + rec(ticker='"MSFT"', price="1") + b"]", "an array of two rows")
    st("array-three-rows", b"[" + b",".join(rec(ticker=s(t), price=str(i)) for i, t in enumerate(["A", "B", "C"])) + b"]",
       "an array of three rows (tickers A, B, C)")
    st("array-row-number", b"[" + good + b", 1]", "an array holding a row then a number", solo=True)
    st("array-number-row", b"[1, " + good + b"]", "an array holding a number then a row", solo=True)
    st("array-null", b"[null]", "an array holding null", solo=True)
    st("array-empty-object", b"[{}]", "an array holding {}")
    st("array-nested", b"[[" + good + b"]]", "a row inside an array inside an array", solo=True)
    st("array-row-garbage", b"[" + good + b"] x", "an array of one row, then garbage")
    st("array-unclosed", b"[" + good, "an array of one row, not closed", solo=True)
    st("string", b'"string"', "a JSON string", solo=True)
    st("number", b"123", "a JSON number", solo=True)
    st("true", b"true", "true", solo=True)
    st("whitespace", b"  \n\t ", "whitespace only", solo=True)
    st("empty", b"", "empty value (zero bytes)")
    st("tombstone", None, "tombstone (null value)")
    st("truncated", b'{"ticker":', "truncated JSON", solo=True)
    st("open-brace", b"{", "just {", solo=True)
    st("unclosed-string", b'{"ticker": "AA', "unclosed string", solo=True)
    st("missing-brace", good[:-1], "the row without its closing brace", solo=True)
    st("trailing-garbage", good + b" x", "trailing garbage after the object")
    st("trailing-brace", good + b"}", "an extra } after the object")
    st("trailing-invalid-utf8", good + b"\xff\xfe", "invalid UTF-8 bytes after the object")
    st("two-objects", good + rec(ticker='"MSFT"', price="1"), "two objects in one value")
    st("two-objects-nl", good + b"\n" + rec(ticker='"MSFT"', price="1"), "two objects separated by a newline (NDJSON)")
    st("bom", b"\xef\xbb\xbf" + good, "UTF-8 BOM before {")
    st("bom-char-mid", b'{"event_time": "2023-08-08 04:21:56.123456",\xef\xbb\xbf "ticker": "AAPL", "price": 12.5}',
       "a BOM (U+FEFF) as whitespace between fields", solo=True)
    st("utf16le-bom", b"\xff\xfe" + good.decode().encode("utf-16-le"), "the JSON in UTF-16LE with a BOM")
    st("utf16be", good.decode().encode("utf-16-be"), "the JSON in UTF-16BE without a BOM")
    st("utf16le", good.decode().encode("utf-16-le"), "the JSON in UTF-16LE without a BOM")
    st("utf32be", good.decode().encode("utf-32-be"), "the JSON in UTF-32BE without a BOM")
    st("utf16le-umlaut", rec(ticker=s("ÄPFEL")).decode().encode("utf-16-le"), "UTF-16LE with a non-ASCII ticker")
    st("nbsp-ws", b'{"event_time": "2023-08-08 04:21:56.123456",\xc2\xa0"ticker": "AAPL", "price": 12.5}',
       "no-break space U+00A0 as whitespace", solo=True)
    st("invalid-utf8-ticker", rec(ticker='"A__B"').replace(b"A__B", b"A\xffB"), "invalid UTF-8 byte 0xFF inside the ticker", solo=True)
    st("invalid-utf8-cont", rec(ticker='"A__B"').replace(b"A__B", b"A\xc3B"), "a lead byte without its continuation inside the ticker", solo=True)
    st("invalid-utf8-extra", rec(post=[("x", '"A__B"')]).replace(b"A__B", b"A\xffB"), "invalid UTF-8 byte inside an extra (skipped) string", solo=True)
    st("invalid-utf8-name", rec(post=[("x__y", "1")]).replace(b"x__y", b"x\xffy"), "invalid UTF-8 byte in an extra field name", solo=True)
    st("latin1-ticker", rec(ticker='"__PFEL"').replace(b"__", b"\xc4"), "Latin-1 byte 0xC4 (Ä) in the ticker", solo=True)
    st("overlong-utf8", rec(ticker='"__B"').replace(b"__", b"\xc1\x81"), "overlong UTF-8 C1 81 ('A') in the ticker")
    st("overlong-nul", rec(ticker='"A__B"').replace(b"__", b"\xc0\x80"), "overlong UTF-8 C0 80 (NUL) in the ticker")
    st("cesu8-pair", rec(ticker='"__X"').replace(b"__", b"\xed\xa0\xbd\xed\xb8\x80"),
       "CESU-8 surrogate pair (ED A0 BD ED B8 80) for U+1F600 in the ticker")
    st("cesu8-lone", rec(ticker='"__X"').replace(b"__", b"\xed\xa0\x80"), "UTF-8-encoded lone surrogate ED A0 80 in the ticker")
    st("utf8-5byte", rec(ticker='"__X"').replace(b"__", b"\xf8\x88\x80\x80\x80"), "a 5-byte UTF-8 form in the ticker", solo=True)
    st("utf8-above-10ffff", rec(ticker='"__X"').replace(b"__", b"\xf4\x90\x80\x80"), "a 4-byte form above U+10FFFF in the ticker")
    big = "x" * 100_000
    st("overlong-100kb", rec(post=[("blob", s(big))]), "100 KB value: a huge extra string field after the row fields")
    st("overlong-5kb-before", rec(pre=[("blob", s("y" * 5000))]), "5 KB extra string field before the row fields")
    st("case-fields", b'{"Event_Time": "2023-08-08 04:21:56", "Ticker": "AAPL", "PRICE": 12.5}', "field names differing in case")
    st("escaped-name", b'{"\\u0065vent_time": "2023-08-08 04:21:56", "\\u0074icker": "AAPL", "pric\\u0065": 12.5}',
       "field names written with \\u escapes")
    st("spaced-name", b'{"event_time ": "2023-08-08 04:21:56", " ticker": "AAPL", "price": 12.5}', "field names with spaces")
    st("single-quotes", b"{'event_time': '2023-08-08 04:21:56', 'ticker': 'AAPL', 'price': 12.5}", "single quotes", solo=True)
    st("unquoted-names", b'{event_time: "2023-08-08 04:21:56", ticker: "AAPL", price: 12.5}', "unquoted names", solo=True)
    st("comment", b'{/* c */"event_time": "2023-08-08 04:21:56", "ticker": "AAPL", "price": 12.5}', "a /* */ comment", solo=True)
    st("trailing-comma", b'{"event_time": "2023-08-08 04:21:56", "ticker": "AAPL", "price": 12.5,}', "a trailing comma", solo=True)
    st("missing-comma", b'{"event_time": "2023-08-08 04:21:56" "ticker": "AAPL", "price": 12.5}', "a missing comma", solo=True)
    st("missing-colon", b'{"event_time" "2023-08-08 04:21:56", "ticker": "AAPL", "price": 12.5}', "a missing colon", solo=True)
    # duplicate keys
    st("dup-ticker", rec(post=[("ticker", '"B"')]).replace(b'"AAPL"', b'"A"'), 'duplicate ticker: {"ticker":"A",...,"ticker":"B"} (4th field)')
    st("dup-ticker-adjacent", b'{"ticker": "A", "ticker": "B", "event_time": "2023-08-08 04:21:56", "price": 1}',
       "duplicate ticker as the first two fields")
    st("dup-price-valid-invalid", b'{"price": 1, "price": "abc", "event_time": "2023-08-08 04:21:56", "ticker": "A"}',
       "duplicate price: valid then invalid, both among the first three fields", solo=True)
    st("dup-price-invalid-valid", b'{"price": "abc", "price": 1, "event_time": "2023-08-08 04:21:56", "ticker": "A"}',
       "duplicate price: invalid then valid", solo=True)
    st("dup-price-after-three", rec(post=[("price", '"abc"')]), "duplicate price: invalid as the 4th field, after all three")
    st("dup-price-after-three-valid", rec(post=[("price", "99")]), "duplicate price: a valid 99 as the 4th field")
    st("dup-et-valid-invalid", b'{"event_time": "2023-08-08 04:21:56", "event_time": "bad", "ticker": "A", "price": 1}',
       "duplicate event_time: valid then invalid", solo=True)
    st("dup-et-invalid-valid", b'{"event_time": "bad", "event_time": "2023-08-08 04:21:56", "ticker": "A", "price": 1}',
       "duplicate event_time: invalid then valid", solo=True)
    st("dup-et-after-three", rec(post=[("event_time", '"bad"')]), "duplicate event_time: invalid after all three")
    st("dup-null-then-value", b'{"price": null, "price": 7, "event_time": "2023-08-08 04:21:56", "ticker": "A"}',
       "duplicate price: null then 7")
    st("dup-extra-between", b'{"ticker": "A", "x": 1, "ticker": "B", "event_time": "2023-08-08 04:21:56", "price": 1}',
       "duplicate ticker separated by an extra field")
    st("two-fields-then-dup", b'{"ticker": "A", "price": 1, "ticker": "B", "price": "abc"}',
       "ticker, price, ticker again (3rd counted field), then an invalid price")
    return c


def source_key_cases() -> list:
    c = []
    for id_, key, note in [
        ("null", None, "null key"),
        ("empty", b"", "empty key"),
        ("binary", b"\xff\x00\xfe", "binary, invalid UTF-8 key"),
        ("not-json", b"AAPL", "key that is not JSON"),
        ("mismatch", b'{"ticker": "MSFT"}', "JSON key naming another ticker than the value"),
        ("huge", b'{"ticker": "' + b"K" * 2_000 + b'"}', "2 KB key"),
    ]:
        c.append(Case("key-" + id_, "source-key", f"source key: {note} (the source table has no key format)", rec(), key))
    c.append(Case("key-null-odd-value", "source-key", "null key with a non-ASCII ticker value",
                  rec(ticker=s("ÄPFEL")), None))
    return c


def all_cases(producer_records: int = 1500) -> list:
    cases = (producer_cases(producer_records) + event_time_cases() + price_cases() + ticker_cases() + structure_cases()
             + source_key_cases())
    ids = [c.id for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate case ids: {sorted(dup)}")
    return cases
