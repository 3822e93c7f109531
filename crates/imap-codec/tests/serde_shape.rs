//! The JSON shape of the parsed values under feature `serde` (docs/serde.md): one test per
//! rule of the shape, each against `serde_json`'s reading of a parsed message.
#![cfg(feature = "serde")]

use mailproto_imap_codec::{Command, Response};
use serde_json::{Value, json};

fn command(wire: &[u8]) -> Value {
    serde_json::to_value(Command::parse(wire).unwrap()).unwrap()
}

fn response(wire: &[u8]) -> Value {
    serde_json::to_value(Response::parse(wire).unwrap()).unwrap()
}

#[test]
fn structs_are_objects_and_validated_strings_are_strings() {
    // Command { tag, body }; Tag and Mailbox are validated strings (transparent); `params`,
    // empty, is left out.
    assert_eq!(
        command(b"A2 SELECT Drafts\r\n"),
        json!({"tag": "A2", "body": {"Select": {"mailbox": {"Other": {"Atom": "Drafts"}}}}})
    );
}

#[test]
fn unit_variants_are_strings() {
    assert_eq!(
        command(b"A4 STORE 2 +FLAGS.SILENT (\\Seen)\r\n")["body"]["Store"],
        json!({
            "uid": false,
            "sequence_set": {"Items": [{"Single": {"Value": 2}}]},
            "action": "Add",
            "silent": true,
            "flags": {"List": ["Seen"]}
        })
    );
    assert_eq!(
        command(b"A2 SELECT INBOX\r\n")["body"]["Select"]["mailbox"],
        json!("Inbox")
    );
}

#[test]
fn data_variants_are_single_key_objects_and_numbers_are_numbers() {
    assert_eq!(response(b"* 4 EXISTS\r\n"), json!({"Data": {"Exists": 4}}));
    assert_eq!(
        response(b"* 3 FETCH (UID 42 FLAGS (\\Seen $Important))\r\n"),
        json!({"Data": {"Fetch": {"seq": 3, "attributes": [
            {"Uid": 42},
            {"Flags": ["Seen", {"Keyword": "$Important"}]}
        ]}}})
    );
    // SEARCH: the numbers as an array.
    assert_eq!(
        response(b"* SEARCH 2 5\r\n"),
        json!({"Data": {"Search": [2, 5]}})
    );
}

#[test]
fn absent_options_are_null() {
    assert_eq!(
        response(b"* NO oops\r\n"),
        json!({"Status": {"tag": null, "kind": "No", "code": null, "text": "oops"}})
    );
    assert_eq!(
        response(b"A1 OK [UIDVALIDITY 7] done\r\n"),
        json!({"Status": {"tag": "A1", "kind": "Ok", "code": {"UidValidity": 7}, "text": "done"}})
    );
}

#[test]
fn octets_are_a_string_when_utf8_else_an_array_of_numbers() {
    let body =
        |wire: &[u8]| response(wire)["Data"]["Fetch"]["attributes"][0]["BodySection"].clone();
    assert_eq!(
        body(b"* 3 FETCH (BODY[TEXT] {2}\r\nhi)\r\n"),
        json!({"section": {"Text": null}, "origin": null,
               "data": {"Literal": {"data": "hi", "mode": "Sync"}}})
    );
    assert_eq!(
        body(b"* 3 FETCH (BODY[] {3}\r\nab\xff)\r\n")["data"]["Literal"]["data"],
        json!([97, 98, 255])
    );
}

#[test]
fn secrets_are_serialized_whole() {
    // Debug redacts the password (issue 18); serialization does not: redact before logging JSON.
    let login = command(b"A1 LOGIN alice \"s3cret pw\"\r\n");
    assert_eq!(
        login["body"]["Login"]["password"],
        json!({"String": {"Quoted": "s3cret pw"}})
    );
    let debug = format!(
        "{:?}",
        Command::parse(b"A1 LOGIN alice \"s3cret pw\"\r\n").unwrap()
    );
    assert!(!debug.contains("s3cret"), "{debug}");
}
