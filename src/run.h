/* vigil run: the streaming daemon. Listens for flow export (IPFIX and
 * NetFlow over UDP, IPFIX over TCP) as the config's run.* keys say, decodes
 * every datagram or message as it arrives and feeds the flows through the
 * pipeline; alerts go out as JSON lines as soon as they close.
 *
 * Time: the watermark is the newest flow time seen. A window closes once
 * the watermark has passed it by input.allowed_lateness, so flows that an
 * exporter sends late (active timeouts) still count. On a network gone
 * quiet nothing would close; after run.idle_advance of wall-clock silence
 * the watermark moves on with the wall clock, never past it.
 *
 * Signals: SIGINT or SIGTERM stops reading (what the kernel already holds
 * for the sockets is still read), writes every open alert, saves state and
 * prints the final counters; SIGUSR1 prints the counters now. */
#ifndef VIGIL_RUN_H
#define VIGIL_RUN_H

/* config_path NULL: the defaults. Returns the exit status: 0 stopped by a
 * signal, 1 stopped but could not save state, 2 could not start (bad or
 * unreadable config, a port in use, an unreadable enrichment file). */
int run_daemon(const char *config_path);
#endif
