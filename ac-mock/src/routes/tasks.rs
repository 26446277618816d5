//! `/dealTasks`, `/deals/{id}/tasks` and `/dealTasktypes`: tasks of deals and contacts.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::contacts::parse_date;
use super::{delete_by_id, entity_id, page_json, wrapped, Attrs};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::tasks::{Owner, Task, TaskInput, TaskQuery, TaskType};
use crate::store::{Entity, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dealTasks", get(list).post(create))
        .route(
            "/dealTasks/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
        .route("/deals/{id}/tasks", get(of_deal))
        .route("/dealTasktypes", get(list_types).post(create_type))
        .route(
            "/dealTasktypes/{id}",
            get(retrieve_type)
                .put(update_type)
                .patch(update_type)
                .delete(remove_type),
        )
}

/// A task. `echo` renders `status` as a number, as the create/update answers do.
fn task_json(t: &Task, ctx: &Ctx, echo: bool) -> Value {
    let base = format!("{}/dealTasks/{}", ctx.api_base, t.id);
    let mut links = serde_json::Map::new();
    for name in [
        "activities",
        "automation",
        "dealTasktype",
        "doneAutomation",
        "notes",
        "owner",
        "taskNotifications",
        "user",
        "assignee",
    ] {
        links.insert(name.into(), json!(format!("{base}/{name}")));
    }
    let status = if echo {
        json!(t.status)
    } else {
        json!(t.status.to_string())
    };
    json!({
        "id": id(t.id), "duedate": ts(t.duedate, ctx.offset), "edate": ts(t.edate, ctx.offset),
        "status": status, "title": t.title, "note": t.note, "relid": id(t.relid),
        "reltype": t.owner.reltype(), "dealTasktype": id(t.tasktype),
        "cdate": ts(t.cdate, ctx.offset), "udate": ts(t.udate, ctx.offset),
        "automation": null, "doneAutomation": null, "user": id(t.user),
        "assignee": t.assignee.map(id),
        "owner": {"type": t.owner.owner_type(), "id": id(t.relid)},
        "outcomeId": null, "outcomeInfo": null,
        "links": Value::Object(links)
    })
}

fn type_json(t: &TaskType, ctx: &Ctx) -> Value {
    json!({
        "title": t.title, "status": t.status.to_string(),
        "cdate": ts(t.cdate, ctx.offset), "udate": ts(t.udate, ctx.offset),
        "links": {}, "id": id(t.id)
    })
}

/// A date attribute: what [`parse_date`] reads, else 422 `field_invalid`.
fn date_attr(a: &Attrs<'_>, attr: &str, ctx: &Ctx) -> Result<Option<DateTime<Utc>>, ApiError> {
    match a.string(attr)? {
        None => Ok(None),
        Some(raw) if raw.trim().is_empty() => Ok(None),
        Some(raw) => parse_date(attr, &raw, ctx).map(Some).map_err(|_| {
            ApiError::field_invalid(
                &format!("/data/attributes/{attr}"),
                format!("The {attr} must be a date (ISO-8601)."),
            )
        }),
    }
}

fn task_input(body: &Value, ctx: &Ctx) -> Result<TaskInput, ApiError> {
    let a = wrapped(body, "dealTask")?;
    let owner = match a.string("ownerType")?.or(a.string("reltype")?) {
        None => None,
        Some(s) => Some(Owner::parse(&s).ok_or_else(|| {
            ApiError::field_invalid(
                "/data/attributes/ownerType",
                "The ownerType must be deal or contact.",
            )
        })?),
    };
    let status = a.u64("status")?.map(|s| u8::try_from(s).unwrap_or(u8::MAX));
    Ok(TaskInput {
        title: a.string("title")?,
        owner,
        relid: a.u64("relid")?,
        status,
        note: a.string("note")?,
        duedate: date_attr(&a, "duedate", ctx)?,
        edate: date_attr(&a, "edate", ctx)?,
        tasktype: a.u64("dealTasktype")?,
        assignee: a.u64("assignee")?,
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    st.with_store(acct, |store, ctx| {
        let input = task_input(&body, ctx)?;
        let tid = store.create_task(&input, crate::store::now())?;
        let t = store.task(tid)?;
        reply(
            StatusCode::CREATED,
            json!({"dealTask": task_json(t, ctx, true)}),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let tid = entity_id(Entity::DealTask, &raw)?;
    st.with_store(acct, |store, ctx| {
        let t = store.task(tid)?;
        reply(
            StatusCode::OK,
            json!({"dealTask": task_json(t, ctx, false)}),
        )
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let tid = entity_id(Entity::DealTask, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.task(tid)?;
        let input = task_input(&body, ctx)?;
        store.update_task(tid, &input, crate::store::now())?;
        let t = store.task(tid)?;
        reply(StatusCode::OK, json!({"dealTask": task_json(t, ctx, true)}))
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::DealTask, &raw, Store::delete_task)
}

/// `filters[...]` of `GET /dealTasks`. An id filter that is not an id matches nothing; a date
/// that cannot be read is 400, as on `/contacts`.
fn task_query(p: &Params, ctx: &Ctx) -> Result<TaskQuery, ApiError> {
    let mut q = TaskQuery::default();
    let id_or_none = |v: &str| Some(v.parse::<u64>().unwrap_or(u64::MAX));
    for (key, value) in p.bracketed("filters") {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        match key.as_str() {
            "title" => q.title = Some(v.to_string()),
            "note" => q.note = Some(v.to_string()),
            // A reltype AC does not know matches nothing: filter on an impossible relid.
            "reltype" => match Owner::parse(v) {
                Some(o) => q.owner = Some(o),
                None => q.relid = Some(u64::MAX),
            },
            "relid" => q.relid = id_or_none(v),
            "status" => q.status = Some(v.parse::<u8>().unwrap_or(u8::MAX)),
            "d_tasktypeid" => q.tasktype = id_or_none(v),
            "userid" => q.user = id_or_none(v),
            "assignee_userid" => q.assignee = id_or_none(v),
            "due_after" => q.due_after = Some(parse_date("filters[due_after]", v, ctx)?),
            "due_before" => q.due_before = Some(parse_date("filters[due_before]", v, ctx)?),
            _ => {}
        }
    }
    Ok(q)
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let q = task_query(&p, ctx)?;
        let rows = store.list_tasks(&q);
        reply(
            StatusCode::OK,
            page_json("dealTasks", rows, &p, |t| task_json(t, ctx, false)),
        )
    })
}

async fn of_deal(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = Params::parse(q.as_deref());
    let did = entity_id(Entity::Deal, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.deal(did)?;
        let q = TaskQuery {
            owner: Some(Owner::Deal),
            relid: Some(did),
            ..Default::default()
        };
        let rows = store.list_tasks(&q);
        reply(
            StatusCode::OK,
            page_json("dealTasks", rows, &p, |t| task_json(t, ctx, false)),
        )
    })
}

fn type_input(body: &Value) -> Result<(Option<String>, Option<u8>), ApiError> {
    let a = wrapped(body, "dealTasktype")?;
    let status = a.u64("status")?.map(|s| u8::from(s > 0));
    Ok((a.string("title")?, status))
}

async fn list_types(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&TaskType> = store.tasks.types.iter().collect();
        reply(
            StatusCode::OK,
            page_json("dealTasktypes", rows, &p, |t| type_json(t, ctx)),
        )
    })
}

async fn create_type(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (title, status) = type_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let tid = store.create_task_type(title.as_deref(), status, crate::store::now())?;
        let t = store.task_type(tid)?;
        reply(
            StatusCode::CREATED,
            json!({"dealTasktype": type_json(t, ctx)}),
        )
    })
}

async fn retrieve_type(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let tid = entity_id(Entity::DealTaskType, &raw)?;
    st.with_store(acct, |store, ctx| {
        let t = store.task_type(tid)?;
        reply(StatusCode::OK, json!({"dealTasktype": type_json(t, ctx)}))
    })
}

async fn update_type(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let tid = entity_id(Entity::DealTaskType, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.task_type(tid)?;
        let (title, status) = type_input(&body)?;
        store.update_task_type(tid, title.as_deref(), status, crate::store::now())?;
        let t = store.task_type(tid)?;
        reply(StatusCode::OK, json!({"dealTasktype": type_json(t, ctx)}))
    })
}

async fn remove_type(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(
        &st,
        acct,
        Entity::DealTaskType,
        &raw,
        Store::delete_task_type,
    )
}
