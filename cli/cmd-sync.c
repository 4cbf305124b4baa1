/*
 * cmd-sync.c: `crmshift sync` runs the load of migrate on deltas (new
 * exports or a change stream) and adds deleted, conflicts and skipped to
 * its summary (cli_run_load, in cmd-migrate.c).
 */
#include "compat.h"
#include "cli.h"
#include "engine/migrate.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char sync_usage_text[] =
	"usage: crmshift [-C DIR] sync [--from DIR] [--full] [--objects LIST] [--final] [--force] [--dry-run]\n"
	"                     [--json]\n"
	"       crmshift [-C DIR] sync --events FILE [--final] [--force] [--dry-run] [--json]\n"
	"\n"
	"  --from DIR       the new export files (named as in [object] file); default: the [source] path.\n"
	"                   An object without a file there is left as it is.\n"
	"  --full           the files are full exports: all records, whatever their modified time, and a\n"
	"                   record absent from them was deleted (objects with delete_missing = yes)\n"
	"  --events FILE    a change stream, Debezium JSON envelope per line (op c/u/d/r), applied in order\n"
	"  --objects LIST   only these source objects (comma-separated)\n"
	"  --final          the cutover sync: the source is frozen once it finishes, and later runs\n"
	"                   refuse (exit 4) exports that differ from what it read\n"
	"  --force          read exports that differ from the frozen source anyway\n"
	"  --dry-run        the whole sync against the target, rolled back at the end\n"
	"  --json           print the summary as JSON\n"
	"\n"
	"Incremental files: records modified before the object's watermark (the newest [object] modified\n"
	"value applied so far) are left out. A record changed in the source whose target row users edited\n"
	"since crmshift wrote it is a conflict: reported, left as it is ([policy] conflicts = source-wins\n"
	"overwrites it). Run it again after a kill: nothing is applied twice.\n";

int cmd_sync(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},	   {"json", no_argument, NULL, 'j'},
		{"dry-run", no_argument, NULL, 'd'},	   {"full", no_argument, NULL, 'f'},
		{"from", required_argument, NULL, 'F'},	   {"events", required_argument, NULL, 'e'},
		{"objects", required_argument, NULL, 'o'}, {"final", no_argument, NULL, 'L'},
		{"force", no_argument, NULL, 'X'},	   {NULL, 0, NULL, 0}};
	struct crm_migrate_options opt;
	int c;

	memset(&opt, 0, sizeof(opt));
	opt.sync = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(sync_usage_text, stdout);
			return CRM_EXIT_OK;
		case 'j':
			cli->json = 1;
			break;
		case 'd':
			opt.dry_run = 1;
			break;
		case 'f':
			opt.full = 1;
			break;
		case 'F':
			opt.from = optarg;
			break;
		case 'e':
			opt.events = optarg;
			break;
		case 'L':
			opt.final = 1;
			break;
		case 'X':
			opt.force = 1;
			break;
		case 'o':
			opt.objects = optarg;
			break;
		default:
			return cli_usage(sync_usage_text, "sync: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(sync_usage_text, "sync: unexpected argument '%s'", argv[optind]);
	if (opt.events && (opt.from || opt.full || opt.objects))
		return cli_usage(sync_usage_text,
				 "sync: --events applies a change stream, in order and whole; --from, --full and "
				 "--objects are for export files");
	return cli_run_load(cli, &opt);
}
