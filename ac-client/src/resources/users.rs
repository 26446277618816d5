//! Users of the account (`/users`), the token's own user (`/users/me`) and lookups by email
//! and username.
//!
//! An API token belongs to one user: [`Users::me`] answers who that is. A user's password is
//! a [`SecretString`]: sent on create or update, never in `Debug`.

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use futures_util::Stream;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{GroupId, UserId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::resources::{path_segment, require_text, wrap};

/// A user as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// Login name (cannot change once set).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub username: String,
    /// Email address.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub email: String,
    /// First name (`firstName`).
    #[serde(
        rename = "firstName",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub first_name: String,
    /// Last name (`lastName`).
    #[serde(
        rename = "lastName",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub last_name: String,
    /// Phone number, when set.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub phone: Option<String>,
    /// Email signature, when set.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub signature: Option<String>,
    /// The user's permission group (`userGroup`), when AC includes it.
    #[serde(
        rename = "userGroup",
        default,
        deserialize_with = "crate::resources::accounts::opt_id"
    )]
    pub group: Option<GroupId>,
    /// Creation time, when AC includes it.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`lang`, `localZoneid`, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for User {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

fn expose<S: Serializer>(
    secret: &Option<SecretString>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match secret {
        Some(p) => s.serialize_str(p.expose_secret()),
        None => s.serialize_none(),
    }
}

/// The body of a user create or update: [`UserInput::new`] for a create (username, email and
/// group are required), [`UserInput::update`] for an update that sends only what is set.
///
/// ```
/// use ac_client::users::UserInput;
///
/// let input = UserInput::new("jdoe", "johndoe@example.com", 4u64)
///     .first_name("John")
///     .password("myPa$$w0rd");
/// assert!(!format!("{input:?}").contains("myPa$$w0rd"));
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"username":"jdoe","email":"johndoe@example.com","group":"4",
///         "firstName":"John","password":"myPa$$w0rd"})
/// );
/// ```
#[derive(Debug, Clone, Default, Serialize)]
pub struct UserInput {
    /// Login name (create only: AC refuses to change it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Permission group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
    /// First name.
    #[serde(rename = "firstName", skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(rename = "lastName", skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Plain-text password (never in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "expose")]
    pub password: Option<SecretString>,
}

impl UserInput {
    /// A new user: login name, email and permission group.
    pub fn new(
        username: impl Into<String>,
        email: impl Into<String>,
        group: impl Into<GroupId>,
    ) -> Self {
        UserInput {
            username: Some(username.into()),
            email: Some(email.into()),
            group: Some(group.into()),
            ..Self::default()
        }
    }

    /// An update that changes nothing until fields are set.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the email.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// Sets the permission group.
    pub fn group(mut self, v: impl Into<GroupId>) -> Self {
        self.group = Some(v.into());
        self
    }

    /// Sets the first name.
    pub fn first_name(mut self, v: impl Into<String>) -> Self {
        self.first_name = Some(v.into());
        self
    }

    /// Sets the last name.
    pub fn last_name(mut self, v: impl Into<String>) -> Self {
        self.last_name = Some(v.into());
        self
    }

    /// Sets the password.
    pub fn password(mut self, v: impl Into<String>) -> Self {
        self.password = Some(SecretString::from(v.into()));
        self
    }

    /// Checks the input as the client does before sending: set text must not be blank.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in [("username", &self.username), ("email", &self.email)] {
            if let Some(v) = value {
                require_text(field, v)?;
            }
        }
        Ok(())
    }
}

/// Paging for the users listing (AC documents no filters).
pub type UserQuery = crate::query::PageQuery;

#[derive(Deserialize)]
struct UserEnvelope {
    user: User,
}

#[derive(Deserialize)]
struct UserList {
    users: Vec<User>,
    #[serde(default)]
    meta: Meta,
}

/// The users handler: `client.users()`.
#[derive(Debug, Clone, Copy)]
pub struct Users<'c> {
    client: &'c Client,
}

impl Client {
    /// Users: the token's own user, lookups, CRUD.
    pub fn users(&self) -> Users<'_> {
        Users { client: self }
    }
}

impl<'c> Users<'c> {
    /// The user the API token belongs to (`GET /users/me`).
    pub async fn me(&self) -> Result<User> {
        self.one(ApiRequest::get("users/me")).await
    }

    /// One page of users (`GET /users`).
    pub async fn list(&self, query: impl Borrow<UserQuery>) -> Result<Page<User>> {
        list_page(self.client, query.borrow()).await
    }

    /// Every user, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(
        &self,
        query: impl Borrow<UserQuery>,
    ) -> impl Stream<Item = Result<User>> + Send + 'static {
        query_stream(self.client, *query.borrow(), |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// Reads a user (`GET /users/{id}`).
    pub async fn get(&self, id: impl Into<UserId>) -> Result<User> {
        self.one(ApiRequest::get(format!("users/{}", id.into())))
            .await
    }

    /// The user with this email (`GET /users/email/{email}`); AC's 404 when there is none.
    pub async fn by_email(&self, email: &str) -> Result<User> {
        require_text("email", email)?;
        self.one(ApiRequest::get(format!(
            "users/email/{}",
            path_segment(email)
        )))
        .await
    }

    /// The user with this username (`GET /users/username/{username}`).
    pub async fn by_username(&self, username: &str) -> Result<User> {
        require_text("username", username)?;
        let path = format!("users/username/{}", path_segment(username));
        self.one(ApiRequest::get(path)).await
    }

    /// Creates a user (`POST /users`; never retried after a 5xx).
    pub async fn create(&self, input: impl Borrow<UserInput>) -> Result<User> {
        let input = input.borrow();
        input.validate()?;
        self.one(ApiRequest::post("users", &wrap("user", input)?)?)
            .await
    }

    /// Changes what `input` sets (`PUT /users/{id}`).
    pub async fn update(
        &self,
        id: impl Into<UserId>,
        input: impl Borrow<UserInput>,
    ) -> Result<User> {
        let input = input.borrow();
        input.validate()?;
        let path = format!("users/{}", id.into());
        self.one(ApiRequest::put(path, &wrap("user", input)?)?)
            .await
    }

    /// Deletes a user (`DELETE /users/{id}`).
    pub async fn delete(&self, id: impl Into<UserId>) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(format!("users/{}", id.into())))
            .await
    }

    async fn one(&self, req: ApiRequest) -> Result<User> {
        Ok(self.client.send::<UserEnvelope>(req).await?.user)
    }
}

async fn list_page(client: &Client, query: &UserQuery) -> Result<Page<User>> {
    let req = ApiRequest::get("users").query(query.to_query()?);
    let list: UserList = client.send(req).await?;
    Ok(Page {
        items: list.users,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_model_reads_ac_shape() {
        let u: User = serde_json::from_value(json!({
            "username":"admin","firstName":"John","lastName":"Doe","email":"johndoe@example.com",
            "phone":"","signature":null,"userGroup":"3","links":{"lists":"x"},"id":"1"}))
        .unwrap();
        assert_eq!(u.id, UserId(1));
        assert_eq!(u.group, Some(GroupId(3)));
        assert_eq!(u.signature, None);
        assert_eq!(u.first_name, "John");
        assert!(u.extra.contains_key("links"));
    }

    #[test]
    fn update_sends_only_what_is_set_and_blank_text_is_refused() {
        let i = UserInput::update().last_name("Roe");
        assert_eq!(
            wrap("user", &i).unwrap(),
            json!({"user": {"lastName": "Roe"}})
        );
        let blank = UserInput::update().email(" ");
        assert_eq!(blank.validate().unwrap_err().field(), Some("email"));
        assert_eq!(
            UserQuery::new().limit(5).offset(10).to_query().unwrap(),
            [("limit".into(), "5".into()), ("offset".into(), "10".into())]
        );
    }
}
