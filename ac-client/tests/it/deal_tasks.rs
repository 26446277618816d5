use ac_client::deal_tasks::{DealTaskInput, DealTaskQuery, DealTaskTypeInput, TaskOwner};
use ac_client::{ContactId, DealId, DealTaskId, DealTaskTypeId};
use chrono::DateTime;
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing, TOKEN};

fn task_json(id: u64, reltype: &str, relid: u64) -> Value {
    json!({"id": id.to_string(), "duedate": "2026-02-25T12:00:00-06:00", "status": "0",
        "title": "Call", "note": "", "relid": relid.to_string(), "reltype": reltype,
        "dealTasktype": "1", "user": "1", "assignee": null, "links": {}})
}

#[tokio::test]
async fn task_crud_exact_shapes() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/dealTasks"))
        .and(header("Api-Token", TOKEN))
        .and(body_json(
            json!({"dealTask": {"title": "Call", "ownerType": "contact",
            "relid": "7", "duedate": "2026-02-25T12:00:00-06:00",
            "edate": "2026-02-25T12:15:00-06:00", "dealTasktype": "1", "note": "n"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"dealTask": task_json(1, "Subscriber", 7)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/dealTasks/1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"dealTask": task_json(1, "Subscriber", 7)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/dealTasks/1"))
        .and(body_json(
            json!({"dealTask": {"ownerType": "deal", "relid": "3", "status": 1}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"dealTask": {
            "id": "1", "status": 1, "reltype": "Deal", "relid": "3"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/dealTasks/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    let tasks = client.deal_tasks();
    let due = DateTime::parse_from_rfc3339("2026-02-25T12:00:00-06:00").unwrap();
    let end = DateTime::parse_from_rfc3339("2026-02-25T12:15:00-06:00").unwrap();
    let input = DealTaskInput::new(ContactId(7), due, 1u64)
        .title("Call")
        .end(end)
        .note("n");
    let created = tasks.create(&input).await.unwrap();
    assert_eq!(created.id, DealTaskId(1));
    assert_eq!(created.owner(), Some(TaskOwner::Contact(ContactId(7))));
    assert_eq!(created.duedate, Some(due));
    let got = tasks.get(1).await.unwrap();
    assert_eq!(got.task_type, Some(DealTaskTypeId(1)));
    let done = tasks
        .update(1, DealTaskInput::update().owner(DealId(3)).complete(true))
        .await
        .unwrap();
    assert!(done.is_complete());
    assert_eq!(done.owner(), Some(TaskOwner::Deal(DealId(3))));
    tasks.delete(1).await.unwrap();
}

#[tokio::test]
async fn list_sends_filters_and_stream_pages() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/dealTasks"))
        .and(query_param("filters[reltype]", "Deal"))
        .and(query_param("filters[relid]", "5"))
        .and(query_param("filters[due_after]", "2026-01-01"))
        .and(query_param("filters[d_tasktypeid]", "2"))
        .and(query_param("limit", "1"))
        .and(query_param("offset", "0"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"dealTasks": [task_json(1, "Deal", 5)], "meta": {"total": "2"}}),
            ),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/dealTasks"))
        .and(query_param("offset", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"dealTasks": [task_json(2, "Deal", 5)], "meta": {"total": "2"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let q = DealTaskQuery::new()
        .owner(DealId(5))
        .due_after(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
        .task_type(2u64)
        .limit(1)
        .offset(0);
    let page = client.deal_tasks().list(&q).await.unwrap();
    assert_eq!((page.len(), page.total), (1, 2));
    let all: Vec<_> = client.deal_tasks().stream(q).try_collect().await.unwrap();
    let ids: Vec<u64> = all.iter().map(|t| t.id.get()).collect();
    assert_eq!(ids, [1, 2]);
}

#[tokio::test]
async fn task_create_without_a_due_date_sends_nothing() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client
        .deal_tasks()
        .create(DealTaskInput::update().owner(DealId(1)).task_type(1u64))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("duedate"));
    let err = client
        .deal_task_types()
        .create(DealTaskTypeInput::new("  "))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("title"));
}

#[tokio::test]
async fn task_types_exact_shapes() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/dealTasktypes"))
        .and(query_param("limit", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"dealTasktypes": [
            {"title": "Call", "status": "1", "id": "1"}, {"title": "Email", "status": "1", "id": "2"}],
            "meta": {"total": "2"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/dealTasktypes"))
        .and(body_json(json!({"dealTasktype": {"title": "Demo"}})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(
                json!({"dealTasktype": {"title": "Demo", "status": "1", "id": "4"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/dealTasktypes/4"))
        .and(body_json(json!({"dealTasktype": {"status": 0}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"dealTasktype": {"title": "Demo", "status": "0", "id": "4"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/dealTasktypes/4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let types = client.deal_task_types();
    let all = types.list().await.unwrap();
    assert_eq!(all.items[1].title, "Email");
    let demo = types.create(DealTaskTypeInput::new("Demo")).await.unwrap();
    assert_eq!(demo.id, DealTaskTypeId(4));
    let off = types
        .update(4, DealTaskTypeInput::update().active(false))
        .await
        .unwrap();
    assert_eq!(off.status, Some(0));
    types.delete(4).await.unwrap();
}
