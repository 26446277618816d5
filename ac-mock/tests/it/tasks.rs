//! Deal tasks and task types over raw HTTP.

use crate::common::Mock;
use serde_json::{json, Value};

/// A contact with one deal; returns (contact id, deal id).
pub(crate) async fn contact_and_deal(m: &Mock) -> (String, String) {
    let c = m.contact("jane@example.com").await;
    let (status, res) = m
        .post("/deals", json!({"deal": {"title": "T", "contact": c}}))
        .await;
    assert_eq!(status, 201, "{res}");
    (c, res["deal"]["id"].as_str().unwrap().to_string())
}

async fn task(m: &Mock, body: Value) -> Value {
    let (status, res) = m.post("/dealTasks", json!({ "dealTask": body })).await;
    assert_eq!(status, 201, "{res}");
    res["dealTask"].clone()
}

#[tokio::test]
async fn create_task_on_a_contact_echoes_ac_shape_and_reads_back() {
    let m = Mock::start().await;
    let (c, _) = contact_and_deal(&m).await;
    let t = task(
        &m,
        json!({"title": null, "ownerType": "contact", "relid": c, "status": 0,
            "note": "Testing Task", "duedate": "2017-02-25T12:00:00-06:00",
            "edate": "2017-02-25T12:15:00-06:00", "dealTasktype": "1", "assignee": 2}),
    )
    .await;
    assert_eq!(t["id"], "1");
    assert_eq!(t["reltype"], "Subscriber");
    assert_eq!(t["relid"], c.as_str());
    assert_eq!(t["owner"], json!({"type": "contact", "id": c}));
    assert_eq!(t["status"], 0);
    assert_eq!(t["title"], Value::Null);
    assert_eq!(t["note"], "Testing Task");
    assert_eq!(t["dealTasktype"], "1");
    assert_eq!(t["assignee"], "2");
    assert_eq!(t["user"], "1");
    // The account's offset is -05:00: the same instant as 12:00 at -06:00.
    assert_eq!(t["duedate"], "2017-02-25T13:00:00-05:00");
    assert_eq!(t["edate"], "2017-02-25T13:15:00-05:00");
    assert!(t["links"]["dealTasktype"]
        .as_str()
        .unwrap()
        .ends_with("/api/3/dealTasks/1/dealTasktype"));

    let (status, got) = m.get("/dealTasks/1").await;
    assert_eq!(status, 200);
    assert_eq!(got["dealTask"]["status"], "0");
    assert_eq!(got["dealTask"]["note"], "Testing Task");
}

#[tokio::test]
async fn create_task_refusals_are_422s_naming_the_attribute() {
    let m = Mock::start().await;
    let (_, d) = contact_and_deal(&m).await;
    let (status, res) = m.post("/dealTasks", json!({"dealTask": {}})).await;
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
            "/data/attributes/relid",
            "/data/attributes/duedate",
            "/data/attributes/dealTasktype"
        ]
    );
    let base = json!({"relid": d, "duedate": "2026-01-01", "dealTasktype": 1});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        json!({ "dealTask": b })
    };
    for (body, pointer, code) in [
        (
            with("relid", json!(99)),
            "/data/attributes/relid",
            "related_missing",
        ),
        (
            with("dealTasktype", json!(99)),
            "/data/attributes/dealTasktype",
            "related_missing",
        ),
        (
            with("duedate", json!("next week")),
            "/data/attributes/duedate",
            "field_invalid",
        ),
        (
            with("ownerType", json!("account")),
            "/data/attributes/ownerType",
            "field_invalid",
        ),
        (
            with("status", json!(2)),
            "/data/attributes/status",
            "field_invalid",
        ),
    ] {
        let (status, res) = m.post("/dealTasks", body.clone()).await;
        assert_eq!(status, 422, "{body} {res}");
        assert_eq!(res["errors"][0]["source"]["pointer"], pointer, "{res}");
        assert_eq!(res["errors"][0]["code"], code, "{res}");
    }
    let (status, res) = m.get("/dealTasks/7").await;
    assert_eq!(status, 404);
    assert_eq!(res["message"], "No Result found for DealTask with id 7");
}

#[tokio::test]
async fn update_completes_a_task_and_delete_removes_it() {
    let m = Mock::start().await;
    let (_, d) = contact_and_deal(&m).await;
    let t = task(
        &m,
        json!({"relid": d, "duedate": "2026-03-01T09:00:00-05:00", "dealTasktype": 1, "title": "Call"}),
    )
    .await;
    assert_eq!(t["reltype"], "Deal");
    assert_eq!(t["edate"], t["duedate"]);
    let (status, res) = m
        .put(
            "/dealTasks/1",
            json!({"dealTask": {"status": 1, "note": "done"}}),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["dealTask"]["status"], 1);
    assert_eq!(res["dealTask"]["note"], "done");
    assert_eq!(res["dealTask"]["title"], "Call");
    let (status, _) = m
        .put("/dealTasks/1", json!({"dealTask": {"relid": 99}}))
        .await;
    assert_eq!(status, 422);
    let (status, body) = m.delete("/dealTasks/1").await;
    assert_eq!((status, body), (200, json!({})));
    assert_eq!(m.get("/dealTasks/1").await.0, 404);
    assert_eq!(m.delete("/dealTasks/1").await.0, 404);
}

#[tokio::test]
async fn list_filters_page_and_count() {
    let m = Mock::start().await;
    let (c, d) = contact_and_deal(&m).await;
    task(
        &m,
        json!({"relid": d, "duedate": "2026-01-10", "dealTasktype": 1, "title": "Call Ada"}),
    )
    .await;
    task(
        &m,
        json!({"relid": d, "duedate": "2026-02-10", "dealTasktype": 2, "status": 1, "note": "sent"}),
    )
    .await;
    task(
        &m,
        json!({"reltype": "Subscriber", "relid": c, "duedate": "2026-03-10", "dealTasktype": 1, "assignee": 3}),
    )
    .await;
    let ids = |res: &Value| -> Vec<String> {
        res["dealTasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    for (q, want) in [
        ("", vec!["1", "2", "3"]),
        ("filters[reltype]=Deal", vec!["1", "2"]),
        ("filters[reltype]=Subscriber", vec!["3"]),
        (
            &format!("filters[relid]={d}&filters[reltype]=Deal"),
            vec!["1", "2"],
        ),
        ("filters[status]=1", vec!["2"]),
        ("filters[title]=ada", vec!["1"]),
        ("filters[note]=SENT", vec!["2"]),
        ("filters[d_tasktypeid]=2", vec!["2"]),
        ("filters[assignee_userid]=3", vec!["3"]),
        ("filters[userid]=1", vec!["1", "2", "3"]),
        ("filters[due_after]=2026-01-31", vec!["2", "3"]),
        ("filters[due_before]=2026-01-31", vec!["1"]),
        ("filters[relid]=abc", vec![]),
        ("filters[reltype]=Account", vec![]),
        ("limit=1&offset=1", vec!["2"]),
    ] {
        let (status, res) = m.get(&format!("/dealTasks?{q}")).await;
        assert_eq!(status, 200, "{q} {res}");
        assert_eq!(ids(&res), want, "{q}");
        if q.starts_with("limit") {
            assert_eq!(res["meta"]["total"], "3");
        }
    }
    let (status, res) = m.get("/dealTasks?filters[due_after]=soon").await;
    assert_eq!(status, 400, "{res}");
    let (status, res) = m.get(&format!("/deals/{d}/tasks")).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&res), ["1", "2"]);
    assert_eq!(m.get("/deals/99/tasks").await.0, 404);
}

#[tokio::test]
async fn deleting_the_deal_or_contact_deletes_its_tasks() {
    let m = Mock::start().await;
    let (c, d) = contact_and_deal(&m).await;
    task(
        &m,
        json!({"relid": d, "duedate": "2026-01-10", "dealTasktype": 1}),
    )
    .await;
    task(
        &m,
        json!({"ownerType": "contact", "relid": c, "duedate": "2026-01-10", "dealTasktype": 1}),
    )
    .await;
    assert_eq!(m.delete(&format!("/deals/{d}")).await.0, 200);
    let (_, res) = m.get("/dealTasks").await;
    assert_eq!(res["meta"]["total"], "1");
    assert_eq!(res["dealTasks"][0]["reltype"], "Subscriber");
    assert_eq!(m.delete(&format!("/contacts/{c}")).await.0, 200);
    let (_, res) = m.get("/dealTasks").await;
    assert_eq!(res["meta"]["total"], "0");
}

#[tokio::test]
async fn task_types_are_seeded_crud_and_in_use_types_stay() {
    let m = Mock::start().await;
    let (status, res) = m.get("/dealTasktypes").await;
    assert_eq!(status, 200);
    let titles: Vec<&str> = res["dealTasktypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Call", "Email", "To-Do"]);
    assert_eq!(res["meta"]["total"], "3");

    let (status, res) = m
        .post("/dealTasktypes", json!({"dealTasktype": {"title": "Demo"}}))
        .await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res["dealTasktype"]["id"], "4");
    assert_eq!(res["dealTasktype"]["status"], "1");
    let (status, res) = m
        .post("/dealTasktypes", json!({"dealTasktype": {"title": "demo"}}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(res["errors"][0]["code"], "duplicate");
    let (status, res) = m.post("/dealTasktypes", json!({"dealTasktype": {}})).await;
    assert_eq!(status, 422);
    assert_eq!(res["errors"][0]["code"], "field_missing");

    let (status, res) = m
        .put(
            "/dealTasktypes/4",
            json!({"dealTasktype": {"title": "Meeting", "status": 0}}),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["dealTasktype"]["title"], "Meeting");
    assert_eq!(res["dealTasktype"]["status"], "0");
    assert_eq!(
        m.get("/dealTasktypes/4").await.1["dealTasktype"]["title"],
        "Meeting"
    );

    let (_, d) = contact_and_deal(&m).await;
    task(
        &m,
        json!({"relid": d, "duedate": "2026-01-10", "dealTasktype": 4}),
    )
    .await;
    let (status, res) = m.delete("/dealTasktypes/4").await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(m.delete("/dealTasks/1").await.0, 200);
    assert_eq!(m.delete("/dealTasktypes/4").await.0, 200);
    let (status, res) = m.get("/dealTasktypes/4").await;
    assert_eq!(status, 404);
    assert_eq!(res["message"], "No Result found for DealTasktype with id 4");
}

#[tokio::test]
async fn tasks_survive_state_export_and_import_and_go_on_reset() {
    let m = Mock::start().await;
    let (_, d) = contact_and_deal(&m).await;
    task(
        &m,
        json!({"relid": d, "duedate": "2026-01-10", "dealTasktype": 1, "title": "Keep"}),
    )
    .await;
    let (status, state) = m.admin_get("/state").await;
    assert_eq!(status, 200);
    let admin = format!("{}/__admin", m.server.base_url());
    assert_eq!(
        m.http
            .post(format!("{admin}/reset"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(m.get("/dealTasks").await.1["meta"]["total"], "0");
    assert_eq!(m.get("/dealTasktypes").await.1["meta"]["total"], "3");
    let res = m
        .http
        .put(format!("{admin}/state"))
        .json(&state)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, res) = m.get("/dealTasks/1").await;
    assert_eq!(res["dealTask"]["title"], "Keep");
}
