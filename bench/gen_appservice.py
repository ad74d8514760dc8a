#!/usr/bin/env python3
"""Generate a W3C (App Service RawLogs) corpus for the App Service benchmark
(bench/README.md, "App Service"): N requests over 50 sites in one day, as
browsers, crawlers and a few scanners make them (about 3% of the requests
probe vulnerable pages, 1% reach admin pages), so every analytic of the
detector works on it, not only the decoder.

usage: gen_appservice.py N OUT [--seed S]
"""
import argparse
import os
import random
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import weblog as W  # noqa: E402

PAGES = ["/", "/shop/", "/cart/", "/checkout/", "/blog/", "/about/", "/contact/", "/wp-admin/admin-ajax.php",
         "/wp-content/themes/storefront/style.css", "/wp-includes/js/jquery/jquery.min.js", "/favicon.ico",
         "/robots.txt", "/sitemap.xml", "/api/cart"]
PROBES = ["/.env", "/.git/config", "/wp-config.php.bak", "/phpinfo.php", "/backup.sql", "/server-status",
          "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/wp-content/plugins/revslider/readme.txt",
          "/admin.php", "/.aws/credentials", "/cgi-bin/luci", "/actuator/env"]
UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
       "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5.0"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    sites = ["site%02d.example.net" % i for i in range(50)]
    log = W.HttpLog()
    t0 = W.at(2026, 3, 2)
    for i in range(a.n):
        t = t0 + timedelta(seconds=86400 * i // a.n)
        site = rnd.choice(sites)
        r = rnd.random()
        if r < 0.03:
            log.req(t, site, "198.51.100.%d" % rnd.randint(1, 20), rnd.choice(PROBES), status=404, ua=UAS[3])
        elif r < 0.04:
            log.req(t, site, "192.0.2.%d" % rnd.randint(1, 250), "/wp-login.php", method="POST", ua=UAS[0])
        else:
            page = rnd.choice(PAGES)
            if page == "/shop/":
                page = "/product/%d/" % rnd.randint(1, 5000)
            log.req(t, site, "10.%d.%d.%d" % (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254)), page,
                    ua=rnd.choice(UAS[:3]))
    with open(a.out, "w") as f:
        f.write(log.w3c())


if __name__ == "__main__":
    main()
