#include "util/timeutil.h"

#include <inttypes.h>
#include <stdio.h>

/* Howard Hinnant's days-from-civil algorithm (public domain arithmetic). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *p, size_t n, unsigned *out) {
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return true;
}

/* [.fraction] then an optional zone (Z, +hh:mm, +hhmm, -...; none is UTC),
 * from p[*i]; the text must end there. */
static bool parse_fraction(const char *p, size_t n, size_t *i, int64_t *frac_us) {
    *frac_us = 0;
    if (*i >= n || (p[*i] != '.' && p[*i] != ',')) return true;
    (*i)++;
    int64_t scale = 100000;
    size_t start = *i;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
        if (scale > 0) { *frac_us += (p[*i] - '0') * scale; scale /= 10; }
        (*i)++;
    }
    return *i > start;
}

static bool parse_zone(const char *p, size_t n, size_t i, int64_t *offset_s) {
    *offset_s = 0;
    if (i < n) {
        if (p[i] == 'Z' || p[i] == 'z') {
            i++;
        } else if (p[i] == '+' || p[i] == '-') {
            unsigned oh, om;
            int sign = p[i] == '-' ? -1 : 1;
            if (i + 3 > n || !digits(p + i + 1, 2, &oh)) return false;
            i += 3;
            if (i < n && p[i] == ':') i++;
            if (i + 2 > n || !digits(p + i, 2, &om)) return false;
            i += 2;
            *offset_s = sign * (int64_t)(oh * 3600 + om * 60);
        } else {
            return false;
        }
    }
    return i == n;
}

static bool civil_valid(unsigned M, unsigned D, unsigned h, unsigned m, unsigned sec) {
    return M >= 1 && M <= 12 && D >= 1 && D <= 31 && h <= 23 && m <= 59 && sec <= 60;
}

static int64_t civil_to_us(unsigned Y, unsigned M, unsigned D, unsigned h, unsigned m, unsigned sec,
                           int64_t frac_us, int64_t offset_s) {
    int64_t secs = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - offset_s;
    return secs * US_PER_SEC + frac_us;
}

bool time_parse(vstr s, int64_t *out_us) {
    unsigned Y, M, D, h, m, sec;
    const char *p = s.p;
    if (s.n < 19) return false;
    if (!digits(p, 4, &Y) || p[4] != '-' || !digits(p + 5, 2, &M) || p[7] != '-' ||
        !digits(p + 8, 2, &D) || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
        !digits(p + 11, 2, &h) || p[13] != ':' || !digits(p + 14, 2, &m) || p[16] != ':' ||
        !digits(p + 17, 2, &sec))
        return false;
    if (!civil_valid(M, D, h, m, sec)) return false;
    size_t i = 19;
    int64_t frac_us, offset_s;
    if (!parse_fraction(p, s.n, &i, &frac_us) || !parse_zone(p, s.n, i, &offset_s)) return false;
    *out_us = civil_to_us(Y, M, D, h, m, sec, frac_us, offset_s);
    return true;
}

/* 1 to max digits at p[*i], then the separator sep (0: none required). */
static bool small_number(const char *p, size_t n, size_t *i, size_t max, char sep, unsigned *out) {
    size_t start = *i;
    unsigned v = 0;
    while (*i < n && *i - start < max && p[*i] >= '0' && p[*i] <= '9') v = v * 10 + (unsigned)(p[(*i)++] - '0');
    if (*i == start) return false;
    if (sep) {
        if (*i >= n || p[*i] != sep) return false;
        (*i)++;
    }
    *out = v;
    return true;
}

/* M/d/yyyy H:mm:ss[.f][ AM|PM][ zone] */
static bool time_parse_dotnet(vstr s, int64_t *out_us) {
    const char *p = s.p;
    size_t n = s.n, i = 0;
    unsigned Y, M, D, h, m, sec;
    if (!small_number(p, n, &i, 2, '/', &M) || !small_number(p, n, &i, 2, '/', &D) ||
        i + 4 > n || !digits(p + i, 4, &Y))
        return false;
    i += 4;
    if (i >= n || p[i] != ' ') return false;
    i++;
    if (!small_number(p, n, &i, 2, ':', &h) || i + 5 > n || !digits(p + i, 2, &m) || p[i + 2] != ':' ||
        !digits(p + i + 3, 2, &sec))
        return false;
    i += 5;
    int64_t frac_us, offset_s;
    if (!parse_fraction(p, n, &i, &frac_us)) return false;
    if (i + 3 <= n && p[i] == ' ' && (p[i + 2] == 'M' || p[i + 2] == 'm')) {
        char ap = p[i + 1];
        bool pm = ap == 'P' || ap == 'p';
        if (!pm && ap != 'A' && ap != 'a') return false;
        if (h < 1 || h > 12) return false;
        h = h % 12 + (pm ? 12 : 0);
        i += 3;
    }
    if (i < n && p[i] == ' ') i++;
    if (!civil_valid(M, D, h, m, sec) || !parse_zone(p, n, i, &offset_s)) return false;
    *out_us = civil_to_us(Y, M, D, h, m, sec, frac_us, offset_s);
    return true;
}

bool time_parse_lenient(vstr s, int64_t *out_us) {
    return time_parse(s, out_us) || time_parse_dotnet(s, out_us);
}

void time_format(int64_t us, char *out, size_t cap) {
    int64_t secs = us >= 0 ? us / US_PER_SEC : -((-us + US_PER_SEC - 1) / US_PER_SEC);
    int64_t frac = us - secs * US_PER_SEC;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (frac)
        snprintf(out, cap, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%06" PRId64 "Z", y, m, d,
                 (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60), frac);
    else
        snprintf(out, cap, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", y, m, d,
                 (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}

bool duration_parse(vstr s, int64_t *out_us) {
    if (s.n == 0) return false;
    size_t i = 0;
    int64_t v = 0;
    while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
        if (v > INT64_MAX / 10 / US_PER_DAY) return false;
        v = v * 10 + (s.p[i] - '0');
        i++;
    }
    if (i == 0) return false;
    int64_t unit = US_PER_SEC;
    if (i < s.n) {
        if (i + 1 != s.n) {
            if (i + 2 == s.n && s.p[i] == 'm' && s.p[i + 1] == 's') { *out_us = v * 1000; return true; }  /* v < INT64_MAX / US_PER_DAY */
            return false;
        }
        switch (s.p[i]) {
        case 's': unit = US_PER_SEC; break;
        case 'm': unit = US_PER_MIN; break;
        case 'h': unit = US_PER_HOUR; break;
        case 'd': unit = US_PER_DAY; break;
        case 'w': unit = 7 * US_PER_DAY; break;
        default: return false;
        }
    }
    if (v > INT64_MAX / unit) return false;
    *out_us = v * unit;
    return true;
}

void duration_format(int64_t us, char *out, size_t cap) {
    if (us % (7 * US_PER_DAY) == 0 && us) snprintf(out, cap, "%" PRId64 "w", us / (7 * US_PER_DAY));
    else if (us % US_PER_DAY == 0 && us) snprintf(out, cap, "%" PRId64 "d", us / US_PER_DAY);
    else if (us % US_PER_HOUR == 0 && us) snprintf(out, cap, "%" PRId64 "h", us / US_PER_HOUR);
    else if (us % US_PER_MIN == 0 && us) snprintf(out, cap, "%" PRId64 "m", us / US_PER_MIN);
    else if (us % US_PER_SEC == 0) snprintf(out, cap, "%" PRId64 "s", us / US_PER_SEC);
    else snprintf(out, cap, "%" PRId64 "ms", us / 1000);
}
