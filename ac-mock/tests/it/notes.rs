//! Notes on contacts, deals, accounts and tasks over raw HTTP.

use crate::common::Mock;
use serde_json::{json, Value};

/// A contact with one deal; returns (contact id, deal id).
async fn contact_and_deal(m: &Mock) -> (String, String) {
    let c = m.contact("jane@example.com").await;
    let (status, res) = m
        .post("/deals", json!({"deal": {"title": "T", "contact": c}}))
        .await;
    assert_eq!(status, 201, "{res}");
    (c, res["deal"]["id"].as_str().unwrap().to_string())
}

async fn note(m: &Mock, text: &str, reltype: &str, relid: &str) -> Value {
    let (status, res) = m
        .post(
            "/notes",
            json!({"note": {"note": text, "reltype": reltype, "relid": relid}}),
        )
        .await;
    assert_eq!(status, 201, "{res}");
    res
}

fn texts(res: &Value) -> Vec<String> {
    res["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["note"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn note_on_a_contact_has_ac_shape_and_crud_works() {
    let m = Mock::start().await;
    let (c, _) = contact_and_deal(&m).await;
    let res = note(&m, "This is the text of the note", "Subscriber", &c).await;
    let n = &res["note"];
    assert_eq!(n["id"], "1");
    assert_eq!(n["note"], "This is the text of the note");
    assert_eq!(n["reltype"], "Subscriber");
    assert_eq!(n["relid"], c.as_str());
    assert_eq!(n["userid"], "1");
    assert_eq!(n["owner"], json!({"type": "contact", "id": c}));
    assert!(n["cdate"].as_str().unwrap().ends_with("-05:00"));
    assert!(n["links"]["user"]
        .as_str()
        .unwrap()
        .ends_with("/api/3/notes/1/user"));

    let (status, res) = m.put("/notes/1", json!({"note": {"note": "edited"}})).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["note"]["note"], "edited");
    assert_eq!(res["note"]["reltype"], "Subscriber");
    let (status, res) = m.get("/notes/1").await;
    assert_eq!(
        (status, res["note"]["note"].clone()),
        (200, json!("edited"))
    );
    let (status, res) = m.get(&format!("/contacts/{c}/notes")).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&res), ["edited"]);
    assert_eq!(res["meta"]["total"], "1");

    assert_eq!(m.delete("/notes/1").await, (200, json!({})));
    let (status, res) = m.get("/notes/1").await;
    assert_eq!(status, 404);
    assert_eq!(res["message"], "No Result found for Note with id 1");
    assert_eq!(m.get("/contacts/99/notes").await.0, 404);
}

#[tokio::test]
async fn note_refusals_are_422s() {
    let m = Mock::start().await;
    let (c, _) = contact_and_deal(&m).await;
    let (status, res) = m.post("/notes", json!({"note": {}})).await;
    assert_eq!(status, 422);
    let pointers: Vec<&str> = res["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"]["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "/data/attributes/note",
            "/data/attributes/reltype",
            "/data/attributes/relid"
        ]
    );
    for (body, code) in [
        (
            json!({"note": "x", "reltype": "Deal", "relid": 99}),
            "related_missing",
        ),
        (
            json!({"note": "x", "reltype": "Planet", "relid": c}),
            "field_invalid",
        ),
        (
            json!({"note": " ", "reltype": "Subscriber", "relid": c}),
            "field_missing",
        ),
    ] {
        let (status, res) = m.post("/notes", json!({ "note": body })).await;
        assert_eq!(status, 422, "{body} {res}");
        assert_eq!(res["errors"][0]["code"], code, "{res}");
    }
    let (status, res) = m.post("/notes", json!({"text": "x"})).await;
    assert_eq!(status, 422, "{res}");
}

#[tokio::test]
async fn deal_and_account_notes_through_their_paths() {
    let m = Mock::start().await;
    let (_, d) = contact_and_deal(&m).await;
    let (status, res) = m
        .post(
            &format!("/deals/{d}/notes"),
            json!({"note": {"note": "Note for the deal"}}),
        )
        .await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res["note"]["reltype"], "Deal");
    assert_eq!(res["note"]["relid"], d.as_str());
    assert_eq!(res["deals"][0]["id"], d.as_str());
    let nid = res["note"]["id"].as_str().unwrap().to_string();
    let (status, res) = m
        .put(
            &format!("/deals/{d}/notes/{nid}"),
            json!({"note": {"note": "Updated"}}),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["note"]["note"], "Updated");
    let (_, res) = m.get(&format!("/deals/{d}/notes")).await;
    assert_eq!(texts(&res), ["Updated"]);
    assert_eq!(
        m.post("/deals/99/notes", json!({"note": {"note": "x"}}))
            .await
            .0,
        404
    );

    let (status, res) = m
        .post("/accounts", json!({"account": {"name": "Acme"}}))
        .await;
    assert_eq!(status, 201, "{res}");
    let a = res["account"]["id"].as_str().unwrap().to_string();
    let (status, res) = m
        .post(
            &format!("/accounts/{a}/notes"),
            json!({"note": {"note": "Acct"}}),
        )
        .await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res["note"]["reltype"], "CustomerAccount");
    let aid = res["note"]["id"].as_str().unwrap().to_string();
    // A deal note is not the account's.
    let (status, _) = m
        .put(
            &format!("/accounts/{a}/notes/{nid}"),
            json!({"note": {"note": "x"}}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = m
        .put(
            &format!("/accounts/{a}/notes/{aid}"),
            json!({"note": {"note": "Acct 2"}}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, res) = m.get(&format!("/accounts/{a}/notes")).await;
    assert_eq!(texts(&res), ["Acct 2"]);

    let (_, res) = m.get("/notes?filters[reltype]=Deal").await;
    assert_eq!(texts(&res), ["Updated"]);
    let (_, res) = m.get("/notes?limit=1&offset=1").await;
    assert_eq!(
        (texts(&res), res["meta"]["total"].clone()),
        (vec!["Acct 2".to_string()], json!("2"))
    );
    let (_, res) = m.get("/notes?filters[relid]=abc").await;
    assert_eq!(res["meta"]["total"], "0");
}

#[tokio::test]
async fn notes_go_with_their_deal_contact_account_or_task() {
    let m = Mock::start().await;
    let (c, d) = contact_and_deal(&m).await;
    let (_, res) = m
        .post("/accounts", json!({"account": {"name": "Acme"}}))
        .await;
    let a = res["account"]["id"].as_str().unwrap().to_string();
    let (_, res) = m
        .post(
            "/dealTasks",
            json!({"dealTask": {"ownerType": "contact", "relid": c, "duedate": "2026-01-01", "dealTasktype": 1}}),
        )
        .await;
    let t = res["dealTask"]["id"].as_str().unwrap().to_string();
    note(&m, "deal", "Deal", &d).await;
    note(&m, "contact", "Subscriber", &c).await;
    note(&m, "account", "CustomerAccount", &a).await;
    note(&m, "task", "DealTask", &t).await;
    let (_, res) = m.get(&format!("/dealTasks/{t}/notes")).await;
    assert_eq!(texts(&res), ["task"]);
    assert_eq!(m.delete(&format!("/deals/{d}")).await.0, 200);
    assert_eq!(all_notes(&m).await, ["contact", "account", "task"]);
    assert_eq!(m.delete(&format!("/accounts/{a}")).await.0, 200);
    assert_eq!(all_notes(&m).await, ["contact", "task"]);
    // The contact's task goes with the contact, and the task's note with the task.
    assert_eq!(m.delete(&format!("/contacts/{c}")).await.0, 200);
    assert_eq!(all_notes(&m).await, Vec::<String>::new());
}

async fn all_notes(m: &Mock) -> Vec<String> {
    texts(&m.get("/notes").await.1)
}
