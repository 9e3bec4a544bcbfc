//! UTC calendar dates, where the client needs them: `X-Sdk-Date` when signing, an HTTP date
//! in `Retry-After`, and the `expires_at` of temporary credentials and IAM tokens. Howard Hinnant's civil-date algorithms (proleptic Gregorian),
//! so that the client needs no date-time crate.

use std::time::{Duration, SystemTime};

/// Days since 1970-01-01 of the date `y-m-d`.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12); // March is 0
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(y, m, d)` of a day since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whole seconds since the Unix epoch (floored, so negative before it).
fn unix_seconds(at: SystemTime) -> i64 {
    match at.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => {
            let d = e.duration();
            -(d.as_secs() as i64) - i64::from(d.subsec_nanos() > 0)
        }
    }
}

/// `yyyyMMddTHHmmssZ` in UTC: the signing time of `X-Sdk-Date`.
pub(crate) fn sdk_date(at: SystemTime) -> String {
    let secs = unix_seconds(at);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// The instant of an `X-Sdk-Date` value (for tests that sign as of a given time).
#[cfg(test)]
pub(crate) fn from_sdk_date(s: &str) -> SystemTime {
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().expect("digits");
    let days = days_from_civil(i64::from(n(0..4)), n(4..6), n(6..8));
    let secs = days * 86_400 + i64::from(n(9..11) * 3_600 + n(11..13) * 60 + n(13..15));
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs as u64)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An HTTP date (RFC 9110, 5.6.7): IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the
/// obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
/// (`Sun Nov  6 08:49:37 1994`) forms recipients must accept; like RFC 2822, the day of the
/// week may be left out, the day have one digit and the zone be `UT`, `UTC` or `+hhmm`.
pub(crate) fn parse_http_date(s: &str) -> Option<SystemTime> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let weekday = |w: &str| w.ends_with(',') && w.len() > 1;
    let (day, month, year, time, zone) = match words[..] {
        // asctime
        [w, month, day, time, year]
            if !weekday(w) && !w.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            (day, month, year.to_string(), time, "GMT")
        }
        // RFC 850
        [w, dmy, time, zone] if weekday(w) && dmy.contains('-') => {
            let mut parts = dmy.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || year.len() != 2 {
                return None;
            }
            // Two-digit years: 70 to 99 are the 1900s (the Unix epoch onwards), the rest 2000s.
            let yy: u32 = year.parse().ok()?;
            let year = if yy >= 70 { 1900 + yy } else { 2000 + yy };
            (day, month, year.to_string(), time, zone)
        }
        [w, day, month, year, time, zone] if weekday(w) => {
            (day, month, year.to_string(), time, zone)
        }
        [day, month, year, time, zone] => (day, month, year.to_string(), time, zone),
        _ => return None,
    };
    let digits = |s: &str, min: usize, max: usize| -> Option<u32> {
        (min..=max)
            .contains(&s.len())
            .then_some(())
            .filter(|()| s.bytes().all(|b| b.is_ascii_digit()))?;
        s.parse().ok()
    };
    let d = digits(day, 1, 2)?;
    let m = MONTHS.iter().position(|n| n.eq_ignore_ascii_case(month))? as u32 + 1;
    let y = i64::from(digits(&year, 4, 4)?);
    let mut hms = time.split(':');
    let h = digits(hms.next()?, 2, 2)?;
    let min = digits(hms.next()?, 2, 2)?;
    let sec = match hms.next() {
        Some(s) => digits(s, 2, 2)?,
        None => 0,
    };
    if hms.next().is_some() || h > 23 || min > 59 || sec > 60 {
        return None;
    }
    let offset: i64 = match zone {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        z if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            let hh = i64::from(digits(&z[1..3], 2, 2)?);
            let mm = i64::from(digits(&z[3..5], 2, 2)?);
            let sign = if z.starts_with('-') { -1 } else { 1 };
            sign * (hh * 3_600 + mm * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(y, m, d);
    if civil_from_days(days) != (y, m, d) {
        return None; // 31 April, 29 February of a common year, day 0
    }
    let secs = days * 86_400 + i64::from(h * 3_600 + min * 60 + sec.min(59)) - offset;
    let secs = u64::try_from(secs).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// An ISO 8601 / RFC 3339 timestamp as IAM and the ECS metadata service write `expires_at`:
/// `2026-11-30T12:00:00.000000Z` (the official SDK core reads `%Y-%m-%dT%H:%M:%S.%fZ`);
/// the fraction may be absent, and the zone may be `Z` or `+hh:mm` / `-hh:mm`. The
/// fraction is dropped (whole seconds are enough to decide when to refresh).
pub(crate) fn parse_timestamp(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let digits = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let mut ymd = date.split('-');
    let (y, m, d) = (ymd.next()?, ymd.next()?, ymd.next()?);
    if ymd.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d) = (i64::from(digits(y)?), digits(m)?, digits(d)?);
    let (time, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (t, zone) = rest.split_at(at);
        let (hh, mm) = zone[1..].split_once(':')?;
        if hh.len() != 2 || mm.len() != 2 {
            return None;
        }
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        (t, sign * i64::from(digits(hh)? * 3_600 + digits(mm)? * 60))
    };
    let time = match time.split_once('.') {
        Some((t, fraction)) => {
            digits(fraction)?;
            t
        }
        None => time,
    };
    let mut hms = time.split(':');
    let (h, min, sec) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() || h.len() != 2 || min.len() != 2 || sec.len() != 2 {
        return None;
    }
    let (h, min, sec) = (digits(h)?, digits(min)?, digits(sec)?);
    if h > 23 || min > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if !(1..=12).contains(&m) || civil_from_days(days) != (y, m, d) {
        return None;
    }
    let secs = days * 86_400 + i64::from(h * 3_600 + min * 60 + sec.min(59)) - offset;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(secs).ok()?))
}

/// The UTC timestamp of `at` in the form [`parse_timestamp`] reads (for tests and servers
/// that play IAM or the metadata service).
#[cfg(test)]
pub(crate) fn timestamp(at: SystemTime) -> String {
    let secs = unix_seconds(at);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000000Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn civil_dates_round_trip_over_four_centuries() {
        for days in (-800_000..800_000).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn sdk_dates() {
        assert_eq!(sdk_date(at(0)), "19700101T000000Z");
        assert_eq!(from_sdk_date("19941106T084937Z"), at(784_111_777));
        assert_eq!(sdk_date(at(784_111_777)), "19941106T084937Z");
        assert_eq!(sdk_date(at(1_709_251_199)), "20240229T235959Z");
        assert_eq!(
            sdk_date(SystemTime::UNIX_EPOCH - Duration::from_millis(1)),
            "19691231T235959Z"
        );
    }

    #[test]
    fn http_dates_in_every_form_rfc_9110_names() {
        let want = Some(at(784_111_777)); // Sun, 06 Nov 1994 08:49:37 GMT
        for s in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "06 Nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 UT",
            "Sun, 06 Nov 1994 09:49:37 +0100",
            "Sun, 06 Nov 1994 03:49:37 -0500",
        ] {
            assert_eq!(parse_http_date(s), want, "{s}");
        }
        assert_eq!(
            parse_http_date("Thu, 01 Jan 1970 00:00 GMT"),
            Some(SystemTime::UNIX_EPOCH)
        );
        for bad in [
            "",
            "soon",
            "Sun, 31 Apr 1994 08:49:37 GMT",
            "Tue, 29 Feb 2023 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:37 EST",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Wed, 31 Dec 1969 23:59:59 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_as_iam_and_the_metadata_service_write_them() {
        let want = Some(at(784_111_777)); // 1994-11-06T08:49:37Z
        for s in [
            "1994-11-06T08:49:37.000000Z",
            "1994-11-06T08:49:37Z",
            "1994-11-06T08:49:37.123Z",
            "1994-11-06T09:49:37+01:00",
            "1994-11-06T03:49:37.5-05:00",
            " 1994-11-06 08:49:37Z ",
        ] {
            assert_eq!(parse_timestamp(s), want, "{s}");
        }
        assert_eq!(timestamp(at(784_111_777)), "1994-11-06T08:49:37.000000Z");
        assert_eq!(
            parse_timestamp(&timestamp(at(1_709_251_199))),
            Some(at(1_709_251_199))
        );
        for bad in [
            "",
            "1994-11-06",
            "1994-11-06T08:49Z",
            "1994-13-06T08:49:37Z",
            "1994-02-30T08:49:37Z",
            "1994-11-06T24:49:37Z",
            "1994-11-06T08:49:37",
            "1994-11-06T08:49:37.Z",
            "1994-11-06T08:49:37+0100",
            "94-11-06T08:49:37Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
