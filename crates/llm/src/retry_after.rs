//! Reading how long a server asks us to wait: `Retry-After` (RFC 9110 §10.2.3), as
//! delta-seconds or as an HTTP-date, and OpenAI's `retry-after-ms`.
//!
//! A date needs a clock; [`parse`] takes `now` so that tests need none. No date crate is pulled
//! in for this: the three date formats HTTP allows are fixed-width enough to read by hand.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// The wait a response's headers ask for: `retry-after-ms` (finer, sent by OpenAI) when
/// present and readable, else `Retry-After`. `None` when neither is there or readable.
pub(crate) fn from_headers(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    text("retry-after-ms")
        .and_then(seconds)
        .map(|ms| ms / 1000)
        .or_else(|| text(RETRY_AFTER.as_str()).and_then(|v| parse(v, now)))
}

/// A `Retry-After` value: delta-seconds ("120"; a fraction is accepted, as some servers send
/// one), or an HTTP-date, counted from `now` (zero when already past).
pub(crate) fn parse(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    seconds(value).or_else(|| {
        let at = http_date(value)?;
        Some(at.duration_since(now).unwrap_or(Duration::ZERO))
    })
}

/// A non-negative, finite number of seconds (or milliseconds, for `retry-after-ms`).
fn seconds(value: &str) -> Option<Duration> {
    let n: f64 = value.trim().parse().ok()?;
    // Clamped so that no value can overflow a Duration; the client caps the wait far lower.
    (n.is_finite() && n >= 0.0).then(|| Duration::from_secs_f64(n.min(86_400.0 * 1000.0)))
}

/// An HTTP-date in any of the three formats recipients must accept:
/// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`,
/// and asctime `Sun Nov  6 08:49:37 1994`.
fn http_date(value: &str) -> Option<SystemTime> {
    let parts: Vec<&str> = value
        .split([' ', ',', '-'])
        .filter(|p| !p.is_empty())
        .collect();
    let (day, month, year, time) = match parts.as_slice() {
        [_, day, month, year, time, "GMT"] => (day, month, year, time),
        [_, month, day, time, year] => (day, month, year, time),
        _ => return None,
    };
    let year: i64 = match (year.len(), year.parse::<i64>().ok()?) {
        // RFC 850's two-digit years: 70–99 are 19xx, the rest 20xx.
        (2, y) if y >= 70 => 1900 + y,
        (2, y) => 2000 + y,
        (4, y) => y,
        _ => return None,
    };
    let month = 1 + [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| m == month)? as i64;
    let day: i64 = day.parse().ok()?;
    let hms: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, s] = hms[..] else { return None };
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1994-11-06 08:49:37 UTC, RFC 9110's example date.
    const EXAMPLE: u64 = 784_111_777;

    #[test]
    fn delta_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse("1.5", now), Some(Duration::from_millis(1500)));
        assert_eq!(parse("-1", now), None);
        assert_eq!(parse("soon", now), None);
    }

    #[test]
    fn http_dates_in_all_three_formats() {
        let now = UNIX_EPOCH + Duration::from_secs(EXAMPLE - 2);
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse(date, now), Some(Duration::from_secs(2)), "{date}");
        }
        // Already past: retry at once.
        let later = UNIX_EPOCH + Duration::from_secs(EXAMPLE + 60);
        assert_eq!(
            parse("Sun, 06 Nov 1994 08:49:37 GMT", later),
            Some(Duration::ZERO)
        );
        assert_eq!(parse("Sun, 06 Nov 1994 25:49:37 GMT", now), None);
        assert_eq!(parse("Sun, 06 Foo 1994 08:49:37 GMT", now), None);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn headers_prefer_milliseconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(from_headers(&headers, SystemTime::now()), None);
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(
            from_headers(&headers, SystemTime::now()),
            Some(Duration::from_secs(7))
        );
        headers.insert("retry-after-ms", "250".parse().unwrap());
        assert_eq!(
            from_headers(&headers, SystemTime::now()),
            Some(Duration::from_millis(250))
        );
    }
}
