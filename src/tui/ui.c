/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ui.c - what the keys do to the view (tui_int.h): selection, scrolling,
 * the two panes, the filters, pause and help.  No curses here: loop.c
 * turns curses keys into enum td_tui_key and draws the result, so every
 * rule below is unit-tested without a terminal.
 *
 * The list follows the newest row until the user moves the selection
 * away from the last row; End (or moving down onto the last row) follows
 * again.  The selection is kept by sequence number, so rows arriving,
 * rows pushed out of the ring and filters changing never make it jump to
 * another connection; when its row is no longer shown, the next one
 * shown is selected.
 *
 * The keys are those of less(1) and htop as well as the arrows, because
 * people type them without thinking: Space and b page, Ctrl-D and Ctrl-U
 * move half a page, g and G go to either end, n and N jump to the next
 * or previous failed connection (what the view is for).  Paging keys act
 * on the pane that has the focus; n and N always move the list's
 * selection, and the details then show that connection from the top.
 */
#include "config.h"

#include <string.h>

#include "text.h"
#include "tui_int.h"

/* Control keys arrive as their code points (cbreak mode, no ICANON). */
enum {
	CTRL_MASK = 0x1f,
	KEY_CTRL_D = 'D' & CTRL_MASK,   /* 0x04: half a page down */
	KEY_CTRL_U = 'U' & CTRL_MASK    /* 0x15: half a page up */
};

void td_tui_ui_init(struct td_tui_ui *u)
{
	memset(u, 0, sizeof *u);
	u->pane = TD_PANE_LIST;
	u->follow = true;
	u->pause_until = UINT64_MAX;
	u->list_h = 1;
	u->detail_h = 1;
}

void td_tui_ui_sync(struct td_tui_ui *u, const struct td_tui_view *v)
{
	if (u->list_h == 0)
		u->list_h = 1;
	if (v->n == 0) {
		u->sel = 0;
		u->top = 0;
	} else {
		size_t i = u->follow ? v->n - 1 : td_tui_view_find(v, u->sel_seq);
		if (i >= v->n)
			i = v->n - 1;
		u->sel = i;
		u->sel_seq = v->seq[i];
		if (u->sel < u->top)
			u->top = u->sel;
		if (u->sel >= u->top + u->list_h)
			u->top = u->sel - u->list_h + 1;
		if (u->top + u->list_h > v->n)
			u->top = v->n > u->list_h ? v->n - u->list_h : 0;
	}
	size_t max = u->doc_lines > u->detail_h ? u->doc_lines - u->detail_h : 0;
	if (u->dscroll > max)
		u->dscroll = max;
}

/* Move the selection by delta rows (clamped). */
static void move(struct td_tui_ui *u, const struct td_tui_view *v, long delta)
{
	if (v->n == 0)
		return;
	size_t i = u->sel;
	if (delta < 0)
		i = (size_t)-delta > i ? 0 : i - (size_t)-delta;
	else
		i = (size_t)delta > v->n - 1 - i ? v->n - 1 : i + (size_t)delta;
	u->sel = i;
	u->sel_seq = v->seq[i];
	u->follow = i == v->n - 1;
}

static void scroll(struct td_tui_ui *u, long delta)
{
	size_t max = u->doc_lines > u->detail_h ? u->doc_lines - u->detail_h : 0;
	size_t s = u->dscroll;
	if (delta < 0)
		s = (size_t)-delta > s ? 0 : s - (size_t)-delta;
	else
		s = s + (size_t)delta > max ? max : s + (size_t)delta;
	u->dscroll = s;
}

/* n (dir 1) and N (dir -1): select the nearest row of class FAIL past
 * the selection, in the list's order.  False when there is none (the
 * selection stays); the view does not wrap, as in less. */
static bool to_failure(struct td_tui_ui *u, const struct td_tui_view *v,
		       const struct td_tui_model *m, int dir)
{
	if (!m || v->n == 0)
		return false;
	size_t i = u->sel;
	while (dir > 0 ? i + 1 < v->n : i > 0) {
		i = dir > 0 ? i + 1 : i - 1;
		const struct td_tui_row *r = td_tui_model_row(m, v->seq[i]);
		if (r && r->cls == TD_TUI_FAIL) {
			move(u, v, (long)i - (long)u->sel);
			return true;
		}
	}
	return false;
}

/* Move the selection (list) or scroll the details by delta. */
static enum td_tui_action step(struct td_tui_ui *u, const struct td_tui_view *v, long delta)
{
	if (u->pane == TD_PANE_LIST)
		move(u, v, delta);
	else
		scroll(u, delta);
	return TD_ACT_REDRAW;
}

/* Append code point cp to s (size TD_TUI_FILTER) as UTF-8 when it fits. */
static void append_cp(char *s, uint32_t cp)
{
	char enc[4];
	size_t k;
	if (cp < 0x80) {
		enc[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		enc[0] = (char)(0xc0 | (cp >> 6));
		enc[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		enc[0] = (char)(0xe0 | (cp >> 12));
		enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		enc[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		enc[0] = (char)(0xf0 | (cp >> 18));
		enc[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		enc[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		enc[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	size_t len = strlen(s);
	if (len + k >= TD_TUI_FILTER)
		return;
	memcpy(s + len, enc, k);
	s[len + k] = '\0';
}

/* Remove the last UTF-8 character of s. */
static void backspace(char *s)
{
	size_t len = strlen(s);
	while (len > 0) {
		len--;
		if (((unsigned char)s[len] & 0xc0) != 0x80)
			break;
	}
	s[len] = '\0';
}

static bool printable(uint32_t key)
{
	return key >= 0x20 && key < 0x110000 && !td_text_is_control(key) &&
	       !(key >= 0xd800 && key <= 0xdfff);
}

/* The / prompt: the filter applies as it is typed; Enter keeps it, Esc
 * puts back the one before. */
static enum td_tui_action prompt_key(struct td_tui_ui *u, uint32_t key)
{
	switch (key) {
	case TD_KEY_ENTER:
		u->prompt = false;
		break;
	case TD_KEY_ESC:
		u->prompt = false;
		memcpy(u->prompt_text, u->prompt_saved, sizeof u->prompt_text);
		break;
	case TD_KEY_BACKSPACE:
		backspace(u->prompt_text);
		break;
	default:
		if (!printable(key))
			return TD_ACT_NONE;
		append_cp(u->prompt_text, key);
		break;
	}
	memcpy(u->filter.text, u->prompt_text, sizeof u->filter.text);
	u->view_dirty = true;
	return TD_ACT_REDRAW;
}

enum td_tui_action td_tui_ui_key(struct td_tui_ui *u, const struct td_tui_view *v,
				 const struct td_tui_model *m, uint32_t key, uint64_t next_seq)
{
	if (key == TD_KEY_RESIZE)
		return TD_ACT_REDRAW;
	if (u->help) {
		u->help = false;  /* any key closes the help */
		return key == 'q' ? TD_ACT_QUIT : TD_ACT_REDRAW;
	}
	if (u->prompt)
		return prompt_key(u, key);
	bool list = u->pane == TD_PANE_LIST;
	size_t h = list ? u->list_h : u->detail_h;
	/* A page keeps one line of the last one in sight; half a page as
	 * in less (at least one line either way). */
	long page = (long)(h > 1 ? h - 1 : 1);
	long half = (long)(h > 1 ? h / 2 : 1);
	switch (key) {
	case 'q':
	case 'Q':
		return TD_ACT_QUIT;
	case '?':
		u->help = true;
		return TD_ACT_REDRAW;
	case TD_KEY_TAB:
	case TD_KEY_ENTER:
		u->pane = list ? TD_PANE_DETAILS : TD_PANE_LIST;
		return TD_ACT_REDRAW;
	case 'f':
		u->filter.failures_only = !u->filter.failures_only;
		u->view_dirty = true;
		return TD_ACT_REDRAW;
	case '/':
		u->prompt = true;
		memcpy(u->prompt_saved, u->filter.text, sizeof u->prompt_saved);
		memcpy(u->prompt_text, u->filter.text, sizeof u->prompt_text);
		return TD_ACT_REDRAW;
	case TD_KEY_ESC:
		/* Esc clears the text filter (f stays as it is). */
		if (!u->filter.text[0])
			return TD_ACT_NONE;
		u->filter.text[0] = '\0';
		u->view_dirty = true;
		return TD_ACT_REDRAW;
	case 'p':
		u->paused = !u->paused;
		u->pause_until = u->paused ? next_seq : UINT64_MAX;
		u->view_dirty = true;
		return TD_ACT_REDRAW;
	case 's':
		return TD_ACT_SAVE;
	case 'n':
	case 'N':
		return to_failure(u, v, m, key == 'n' ? 1 : -1) ? TD_ACT_REDRAW : TD_ACT_NOT_FOUND;
	case TD_KEY_UP:
	case 'k':
		return step(u, v, -1);
	case TD_KEY_DOWN:
	case 'j':
		return step(u, v, 1);
	case TD_KEY_PGUP:
	case 'b':
		return step(u, v, -page);
	case TD_KEY_PGDN:
	case ' ':
		return step(u, v, page);
	case KEY_CTRL_U:
		return step(u, v, -half);
	case KEY_CTRL_D:
		return step(u, v, half);
	case TD_KEY_HOME:
	case 'g':
		if (list) {
			move(u, v, -(long)v->n);
			u->follow = v->n <= 1;
		} else {
			u->dscroll = 0;
		}
		return TD_ACT_REDRAW;
	case TD_KEY_END:
	case 'G':
		if (list) {
			move(u, v, (long)v->n);
			u->follow = true;
		} else {
			scroll(u, (long)u->doc_lines);
		}
		return TD_ACT_REDRAW;
	default:
		return TD_ACT_NONE;
	}
}
