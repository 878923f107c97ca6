/*
 * netdb_export.h - "nfq-gate-db export": write the compiled netblock
 * database as an nft set file, an ipset restore file, a CIDR list or
 * the ranges "nfq-gate-db build" reads, so that countries can also be
 * blocked in the kernel without the daemon.
 * db_main.c dispatches the "export" subcommand here.
 */
#ifndef NG_NETDB_EXPORT_H
#define NG_NETDB_EXPORT_H

/* argv[0] is "export".  Returns the process exit status. */
int ng_db_export_main(int argc, char **argv);

#endif
