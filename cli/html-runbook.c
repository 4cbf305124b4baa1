/*
 * html-runbook.c: the runbook's Markdown (engine/runbook.h, a small subset
 * crmshift writes itself) as an HTML page that prints well: a print
 * stylesheet, each numbered section on a page of its own.
 */
#include "compat.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char style[] =
	"body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 "
	"1em;color:#222;line-height:1.45}\n"
	"h1{font-size:1.6em;border-bottom:2px solid #333}h2{margin-top:1.6em;border-bottom:1px solid #999}\n"
	"table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border:1px solid #bbb;padding:.3em .5em;"
	"text-align:left;vertical-align:top}th{background:#eee}\n"
	"code{background:#f3f3f3;padding:0 .2em}ul.checklist{list-style:none;padding-left:0}\n"
	".box{display:inline-block;width:1.1em;font-weight:700}.gap{color:#b00020;font-weight:700}\n"
	"@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{page-break-before:always}"
	"h2.first{page-break-before:avoid}table,li{page-break-inside:avoid}}\n";

/* One line's text with `code` and **bold** (a bold "gap" marked as one), escaped. */
static void inline_text(FILE *out, const char *s, size_t len)
{
	char piece[4096];
	size_t i = 0;

	while (i < len) {
		const char *end;
		size_t n;
		if (s[i] == '`' && (end = memchr(s + i + 1, '`', len - i - 1))) {
			n = (size_t)(end - s - i - 1);
			snprintf(piece, sizeof(piece), "%.*s", (int)n, s + i + 1);
			fputs("<code>", out);
			cli_html_escape(out, piece);
			fputs("</code>", out);
			i += n + 2;
			continue;
		}
		if (i + 1 < len && s[i] == '*' && s[i + 1] == '*' && i + 2 < len && (end = strstr(s + i + 2, "**")) &&
		    end < s + len) {
			n = (size_t)(end - s - i - 2);
			snprintf(piece, sizeof(piece), "%.*s", (int)n, s + i + 2);
			fputs(strcmp(piece, "gap") == 0 ? "<strong class=\"gap\">" : "<strong>", out);
			cli_html_escape(out, piece);
			fputs("</strong>", out);
			i += n + 4;
			continue;
		}
		if (s[i] == '\\' && i + 1 < len && s[i + 1] == '|')
			i++;
		n = 0;
		piece[n++] = s[i++];
		piece[n] = '\0';
		cli_html_escape(out, piece);
	}
}

/* A table row "| a | b |": its cells, split at '|' not escaped. */
static void table_row(FILE *out, const char *line, int header)
{
	const char *p = line + 1, *start = p;

	fputs("<tr>", out);
	for (; *p && *p != '\n'; p++) {
		if (*p == '\\' && p[1] == '|') {
			p++;
			continue;
		}
		if (*p != '|')
			continue;
		while (*start == ' ')
			start++;
		fputs(header ? "<th>" : "<td>", out);
		inline_text(out, start, (size_t)(p - start) - (p > start && p[-1] == ' '));
		fputs(header ? "</th>" : "</td>", out);
		start = p + 1;
	}
	fputs("</tr>\n", out);
}

int cli_runbook_html(const char *md, const char *path, struct crm_error *err)
{
	FILE *out = cli_html_create(path, err);
	enum { NONE, PARA, LIST, CHECKS, TABLE } open = NONE;
	int table_rows = 0, sections = 0, depth = 0;
	const char *line = md;

	if (!out)
		return err->code;
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width\">\n<title>Rollback plan</title>\n"
		"<style>\n%s</style></head><body>\n",
		style);
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		int is_table = line[0] == '|', is_check = !strncmp(line, "- [x] ", 6) || !strncmp(line, "- [ ] ", 6);
		int is_item = !is_check && (!strncmp(line, "- ", 2) || !strncmp(line, "  - ", 4));
		/* close what this line does not continue */
		if ((open == TABLE && !is_table) || (open == CHECKS && !is_check) || (open == LIST && !is_item) ||
		    (open == PARA && (len == 0 || line[0] == '#' || is_table || is_check || is_item))) {
			if (open == LIST && depth)
				fputs("</ul>\n", out); /* the nested list first */
			fputs(open == TABLE		       ? "</table>\n"
			      : open == CHECKS || open == LIST ? "</ul>\n"
							       : "</p>\n",
			      out);
			depth = 0;
			open = NONE;
		}
		if (len == 0) {
		} else if (line[0] == '#') {
			int level = line[1] == '#' ? (line[2] == '#' ? 3 : 2) : 1;
			fprintf(out, "<h%d%s>", level, level == 2 && sections++ == 0 ? " class=\"first\"" : "");
			inline_text(out, line + level + 1, len - (size_t)level - 1);
			fprintf(out, "</h%d>\n", level);
		} else if (is_table) {
			if (open != TABLE) {
				fputs("<table>\n", out);
				open = TABLE;
				table_rows = 0;
			}
			if (strncmp(line, "|---", 4) != 0)
				table_row(out, line, table_rows++ == 0);
		} else if (is_check) {
			if (open != CHECKS) {
				fputs("<ul class=\"checklist\">\n", out);
				open = CHECKS;
			}
			fprintf(out, "<li><span class=\"box\">%s</span>", line[3] == 'x' ? "&#x2611;" : "&#x2610;");
			inline_text(out, line + 6, len - 6);
			fputs("</li>\n", out);
		} else if (is_item) {
			int nested = line[0] == ' ';
			if (open != LIST) {
				fputs("<ul>\n", out);
				open = LIST;
			}
			if (nested && !depth) {
				fputs("<ul>\n", out);
				depth = 1;
			} else if (!nested && depth) {
				fputs("</ul>\n", out);
				depth = 0;
			}
			fputs("<li>", out);
			inline_text(out, line + (nested ? 4 : 2), len - (nested ? 4 : 2));
			fputs("</li>\n", out);
		} else {
			if (open != PARA) {
				fputs("<p>", out);
				open = PARA;
			} else {
				fputs("<br>\n", out);
			}
			inline_text(out, line, len);
		}
		line += len + (end ? 1 : 0);
	}
	if (open == LIST && depth)
		fputs("</ul>\n", out);
	if (open != NONE)
		fputs(open == TABLE ? "</table>\n" : open == PARA ? "</p>\n" : "</ul>\n", out);
	fputs("</body></html>\n", out);
	if (fclose(out) != 0)
		return crm_error_set(err, CRM_EIO, "cannot write '%s'", path);
	return 0;
}
