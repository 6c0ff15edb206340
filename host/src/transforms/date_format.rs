//! The part of Java's `SimpleDateFormat` that timestamp transforms need, always in UTC:
//! `y M d H h m s S E a` and the zone letters `Z X`, with `'quoted text'` as Java reads
//! it. Dates come from epoch milliseconds by the civil-from-days algorithm (no date crate).

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];
const MILLIS_PER_DAY: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(String),
    /// A pattern letter and how many times it is repeated.
    Field(char, usize),
}

/// A compiled date pattern.
#[derive(Debug, Clone)]
pub struct DateFormat {
    pattern: String,
    tokens: Vec<Token>,
}

/// (year, month 1-12, day 1-31) of a day counted from 1970-01-01 (Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The inverse of [`civil_from_days`].
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl DateFormat {
    pub fn new(pattern: &str) -> Result<DateFormat, String> {
        let mut tokens = Vec::new();
        let mut chars = pattern.chars().peekable();
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            if c == '\'' {
                // '' is a quote; 'text' is literal text.
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    literal.push('\'');
                    continue;
                }
                loop {
                    match chars.next() {
                        None => return Err("Unterminated quote".into()),
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            literal.push('\'');
                        }
                        Some('\'') => break,
                        Some(q) => literal.push(q),
                    }
                }
            } else if c.is_ascii_alphabetic() {
                if !"yMdHhmsSEaZX".contains(c) {
                    return Err(format!("Illegal pattern character '{c}'"));
                }
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                let mut count = 1;
                while chars.peek() == Some(&c) {
                    chars.next();
                    count += 1;
                }
                tokens.push(Token::Field(c, count));
            } else {
                literal.push(c);
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        Ok(DateFormat {
            pattern: pattern.to_string(),
            tokens,
        })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The text for `millis` since the epoch, in UTC.
    pub fn format(&self, millis: i64) -> String {
        let days = millis.div_euclid(MILLIS_PER_DAY);
        let ms = millis.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let hour = ms / 3_600_000;
        let mut out = String::new();
        let pad = |out: &mut String, v: i64, n: usize| out.push_str(&format!("{v:0n$}"));
        for token in &self.tokens {
            match *token {
                Token::Literal(ref s) => out.push_str(s),
                Token::Field('y', 2) => pad(&mut out, year.rem_euclid(100), 2),
                Token::Field('y', n) => pad(&mut out, year, n),
                Token::Field('M', n) if n >= 4 => out.push_str(MONTHS[month as usize - 1]),
                Token::Field('M', 3) => out.push_str(&MONTHS[month as usize - 1][..3]),
                Token::Field('M', n) => pad(&mut out, month.into(), n),
                Token::Field('d', n) => pad(&mut out, day.into(), n),
                Token::Field('H', n) => pad(&mut out, hour, n),
                Token::Field('h', n) => pad(&mut out, (hour + 11) % 12 + 1, n),
                Token::Field('m', n) => pad(&mut out, ms / 60_000 % 60, n),
                Token::Field('s', n) => pad(&mut out, ms / 1000 % 60, n),
                Token::Field('S', n) => pad(&mut out, ms % 1000, n),
                Token::Field('E', n) => {
                    let name = DAYS[days.rem_euclid(7) as usize];
                    out.push_str(if n >= 4 { name } else { &name[..3] });
                }
                Token::Field('a', _) => out.push_str(if hour < 12 { "AM" } else { "PM" }),
                Token::Field('X', _) => out.push('Z'),
                Token::Field(_, _) => out.push_str("+0000"),
            }
        }
        out
    }

    /// Milliseconds since the epoch for `text`, read as UTC unless it names an offset.
    pub fn parse(&self, text: &str) -> Result<i64, String> {
        let fail = || format!("Unparseable date: \"{text}\"");
        let (mut year, mut month, mut day) = (1970i64, 1u32, 1u32);
        let (mut hour, mut minute, mut second, mut milli) = (0i64, 0i64, 0i64, 0i64);
        let (mut pm, mut offset_minutes) = (None, 0i64);
        let mut rest = text;
        for (i, token) in self.tokens.iter().enumerate() {
            let (c, n) = match token {
                Token::Literal(s) => {
                    rest = rest.strip_prefix(s.as_str()).ok_or_else(fail)?;
                    continue;
                }
                Token::Field(c, n) => (*c, *n),
            };
            // A number followed directly by another field takes exactly its width
            // (`yyyyMMdd`); otherwise all its digits.
            let fixed = matches!(self.tokens.get(i + 1), Some(Token::Field(..)));
            let mut number = || -> Result<i64, String> {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                let take = if fixed { n.min(digits) } else { digits };
                if take == 0 {
                    return Err(fail());
                }
                let v = rest[..take].parse().map_err(|_| fail())?;
                rest = &rest[take..];
                Ok(v)
            };
            match c {
                'y' => {
                    year = number()?;
                    if n <= 2 && year < 100 {
                        // Java puts two-digit years within 80 years before and 20 after now;
                        // a fixed century is simpler and right for 1950..2049.
                        year += if year < 50 { 2000 } else { 1900 };
                    }
                }
                'M' if n >= 3 => {
                    let found = MONTHS.iter().position(|m| {
                        let name = if n == 3 { &m[..3] } else { m };
                        rest.get(..name.len())
                            .is_some_and(|r| r.eq_ignore_ascii_case(name))
                    });
                    let idx = found.ok_or_else(fail)?;
                    rest = &rest[if n == 3 { 3 } else { MONTHS[idx].len() }..];
                    month = idx as u32 + 1;
                }
                'M' => month = u32::try_from(number()?).map_err(|_| fail())?,
                'd' => day = u32::try_from(number()?).map_err(|_| fail())?,
                'H' | 'h' => hour = number()?,
                'm' => minute = number()?,
                's' => second = number()?,
                'S' => milli = number()?,
                'E' => {
                    let len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
                    rest = &rest[len..];
                }
                'a' => {
                    let upper = rest.get(..2).map(str::to_ascii_uppercase);
                    pm = Some(match upper.as_deref() {
                        Some("AM") => false,
                        Some("PM") => true,
                        _ => return Err(fail()),
                    });
                    rest = &rest[2..];
                }
                _ => {
                    // Z, X: "Z", or +hh, +hhmm, +hh:mm.
                    if let Some(r) = rest.strip_prefix('Z') {
                        rest = r;
                        continue;
                    }
                    let sign = match rest.chars().next() {
                        Some('+') => 1,
                        Some('-') => -1,
                        _ => return Err(fail()),
                    };
                    let digits: String = rest[1..]
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || *c == ':')
                        .collect();
                    rest = &rest[1 + digits.len()..];
                    let d: String = digits.chars().filter(char::is_ascii_digit).collect();
                    let (h, m) = match d.len() {
                        2 => (&d[..2], "0"),
                        4 => (&d[..2], &d[2..]),
                        _ => return Err(fail()),
                    };
                    offset_minutes = sign
                        * (h.parse::<i64>().map_err(|_| fail())? * 60
                            + m.parse::<i64>().map_err(|_| fail())?);
                }
            }
        }
        if !rest.is_empty() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(fail());
        }
        match pm {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
        let days = days_from_civil(year, month, day);
        Ok(days * MILLIS_PER_DAY
            + hour * 3_600_000
            + (minute - offset_minutes) * 60_000
            + second * 1000
            + milli)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        let cases = [
            (0, (1970, 1, 1)),
            (-1, (1969, 12, 31)),
            (11_016, (2000, 2, 29)),
            (19_723, (2024, 1, 1)),
            (-719_468, (0, 3, 1)),
        ];
        for (days, ymd) in cases {
            assert_eq!(civil_from_days(days), ymd);
            assert_eq!(days_from_civil(ymd.0, ymd.1, ymd.2), days);
        }
    }

    #[test]
    fn format_and_parse() {
        // 2017-08-04T12:34:56.789Z, a Friday.
        let millis = 1_501_850_096_789;
        let cases = [
            ("yyyyMMdd", "20170804"),
            ("yyyy-MM-dd HH:mm:ss.SSS", "2017-08-04 12:34:56.789"),
            ("yy/M/d h:mm a", "17/8/4 12:34 PM"),
            ("yyyy-MM-dd'T'HH:mm:ss.SSSX", "2017-08-04T12:34:56.789Z"),
            (
                "EEE, dd MMM yyyy HH:mm:ss Z",
                "Fri, 04 Aug 2017 12:34:56 +0000",
            ),
            ("MMMM ''yy", "August '17"),
        ];
        for (pattern, text) in cases {
            let f = DateFormat::new(pattern).unwrap();
            assert_eq!(f.format(millis), text, "{pattern}");
            let parsed = f.parse(text).unwrap();
            assert_eq!(f.format(parsed), text, "{pattern} parses back");
        }
        let f = DateFormat::new("yyyy-MM-dd'T'HH:mm:ss.SSSX").unwrap();
        assert_eq!(f.parse("2017-08-04T12:34:56.789Z"), Ok(millis));
        assert_eq!(f.parse("2017-08-04T14:34:56.789+02:00"), Ok(millis));
        assert_eq!(
            f.parse("2017-08-04").unwrap_err(),
            "Unparseable date: \"2017-08-04\""
        );
        assert_eq!(
            DateFormat::new("yyyy-MM-dd").unwrap().format(-1),
            "1969-12-31"
        );
        assert_eq!(
            DateFormat::new("yyyy-qq").unwrap_err(),
            "Illegal pattern character 'q'"
        );
    }
}
