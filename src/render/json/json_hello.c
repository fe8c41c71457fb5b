/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_hello.c - the ClientHello and ServerHello objects of a connection
 * line (schema: json.c): the versions, suites, extensions, groups and
 * signature algorithms offered, and what the server picked, by name.
 */
#include "config.h"

#include "jsonconn.h"

void td_json_client_hello(struct td_jsonw *w, const struct td_client_hello *ch)
{
	td_jsonw_jkey(w, TD_JKEY("client_hello"));
	if (!ch->present) {
		td_jsonw_null(w);
		return;
	}
	td_jsonw_object_begin(w);
	kname(w, TD_JKEY("record_version"), TD_REG_VERSION, ch->record_version);
	kname(w, TD_JKEY("legacy_version"), TD_REG_VERSION, ch->legacy_version);
	knames(w, TD_JKEY("versions"), TD_REG_VERSION, &ch->versions);
	knames(w, TD_JKEY("cipher_suites"), TD_REG_CIPHER, &ch->suites);
	knames(w, TD_JKEY("extensions"), TD_REG_EXTENSION, &ch->extensions);
	knames(w, TD_JKEY("groups"), TD_REG_GROUP, &ch->groups);
	knames(w, TD_JKEY("key_share_groups"), TD_REG_GROUP, &ch->key_share_groups);
	knames(w, TD_JKEY("signature_algorithms"), TD_REG_SIGALG, &ch->sig_algs);
	kstrings(w, TD_JKEY("alpn"), &ch->alpn);
	td_jsonw_jk_uint(w, TD_JKEY("session_id_len"), ch->session_id_len);
	td_jsonw_jk_bool(w, TD_JKEY("session_ticket"), ch->session_ticket);
	td_jsonw_jk_bool(w, TD_JKEY("psk"), ch->psk);
	td_jsonw_jk_bool(w, TD_JKEY("early_data"), ch->early_data);
	td_jsonw_jk_bool(w, TD_JKEY("ech"), ch->ech);
	td_jsonw_jk_bool(w, TD_JKEY("sslv2"), ch->sslv2);
	td_jsonw_object_end(w);
}

void td_json_server_hello(struct td_jsonw *w, const struct td_server_hello *sh)
{
	td_jsonw_jkey(w, TD_JKEY("server_hello"));
	if (!sh->present) {
		td_jsonw_null(w);
		return;
	}
	td_jsonw_object_begin(w);
	kname(w, TD_JKEY("legacy_version"), TD_REG_VERSION, sh->legacy_version);
	kname_or_null(w, TD_JKEY("selected_version"), TD_REG_VERSION, sh->selected_version);
	kname(w, TD_JKEY("cipher"), TD_REG_CIPHER, sh->cipher);
	knames(w, TD_JKEY("extensions"), TD_REG_EXTENSION, &sh->extensions);
	kname_or_null(w, TD_JKEY("key_share_group"), TD_REG_GROUP, sh->key_share_group);
	td_jsonw_jk_bool(w, TD_JKEY("hrr"), sh->hrr);
	td_jsonw_jk_bool(w, TD_JKEY("psk"), sh->psk);
	td_jsonw_object_end(w);
}
