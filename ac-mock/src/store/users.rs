//! Users of the account (AC's `/users`). Every account starts with one admin user, the
//! owner of the account's `Api-Token` (what `/users/me` answers).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreError, StoreResult, Table};

/// A user (AC's `User`). The password sent on create or update is not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // named as AC names them
pub struct User {
    pub id: u64,
    /// Unique (ASCII case ignored); cannot change once set.
    pub username: String,
    /// Unique (ASCII case ignored).
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub signature: Option<String>,
    pub lang: String,
    pub local_zoneid: String,
    /// The user's permission group.
    pub group: u64,
    pub cdate: DateTime<Utc>,
    pub udate: DateTime<Utc>,
}

/// Attributes of a user create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct UserInput {
    pub username: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub signature: Option<String>,
    pub group: Option<u64>,
}

/// The users table and which user the account's `Api-Token` belongs to. The default holds
/// user 1 `admin` (in group 1, the admin group), the token's user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Users {
    /// Users.
    pub rows: Table<User>,
    /// The user the account's `Api-Token` belongs to (`/users/me`).
    pub token_user: u64,
}

impl Default for Users {
    fn default() -> Self {
        let now = super::now();
        let mut rows = Table::default();
        let token_user = rows.insert_with(|id| User {
            id,
            username: "admin".into(),
            email: "admin@example.com".into(),
            first_name: "Admin".into(),
            last_name: "User".into(),
            phone: String::new(),
            signature: None,
            lang: "english".into(),
            local_zoneid: "America/New_York".into(),
            group: super::groups::ADMIN_GROUP,
            cdate: now,
            udate: now,
        });
        Self { rows, token_user }
    }
}

fn missing(attr: &str) -> StoreError {
    StoreError::Missing {
        title: format!("The user {attr} was not provided."),
        pointer: format!("/data/attributes/{attr}"),
    }
}

fn duplicate(attr: &str) -> StoreError {
    StoreError::Duplicate {
        title: format!("A user with this {attr} already exists"),
        detail: String::new(),
        pointer: Some(format!("/data/attributes/{attr}")),
    }
}

fn invalid(attr: &str, title: &str) -> StoreError {
    StoreError::Invalid {
        code: "field_invalid",
        title: title.into(),
        pointer: format!("/data/attributes/{attr}"),
        error: None,
    }
}

/// Trimmed text, `None` when absent or blank.
fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Store {
    /// Fails with `NotFound` unless the user exists.
    pub fn user(&self, id: u64) -> StoreResult<&User> {
        self.users.rows.get_or(Entity::User, id)
    }

    /// The user the account's `Api-Token` belongs to.
    pub fn token_user(&self) -> StoreResult<&User> {
        self.user(self.users.token_user)
    }

    /// The user with this email (ASCII case ignored).
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        let email = email.trim();
        self.users
            .rows
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// The user with this username (ASCII case ignored).
    pub fn user_by_username(&self, username: &str) -> Option<&User> {
        let username = username.trim();
        self.users
            .rows
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    fn check_user(&self, input: &UserInput, except: Option<u64>) -> StoreResult<()> {
        let other = |u: &User| Some(u.id) != except;
        if let Some(email) = filled(&input.email) {
            if !email.contains('@') {
                return Err(invalid(
                    "email",
                    "The user email is not a valid email address.",
                ));
            }
            if self.user_by_email(email).is_some_and(other) {
                return Err(duplicate("email"));
            }
        }
        if let Some(name) = filled(&input.username) {
            if self.user_by_username(name).is_some_and(other) {
                return Err(duplicate("username"));
            }
        }
        if let Some(group) = input.group {
            self.group(group)?;
        }
        Ok(())
    }

    /// `POST /users`: `username`, `email` and `group` are required; username and email are
    /// unique and the group must exist.
    pub fn create_user(&mut self, input: &UserInput, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut errors = Vec::new();
        for (attr, value) in [("username", &input.username), ("email", &input.email)] {
            if filled(value).is_none() {
                errors.push(missing(attr));
            }
        }
        if input.group.is_none() {
            errors.push(missing("group"));
        }
        match errors.len() {
            0 => {}
            1 => return Err(errors.remove(0)),
            _ => return Err(StoreError::Many(errors)),
        }
        self.check_user(input, None)?;
        let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
        Ok(self.users.rows.insert_with(|id| User {
            id,
            username: text(&input.username),
            email: text(&input.email),
            first_name: text(&input.first_name),
            last_name: text(&input.last_name),
            phone: text(&input.phone),
            signature: input.signature.clone(),
            lang: "english".into(),
            local_zoneid: "America/New_York".into(),
            group: input.group.unwrap_or(super::groups::ADMIN_GROUP),
            cdate: now,
            udate: now,
        }))
    }

    /// `PUT /users/{id}`: only sent fields change; the username cannot change (a different
    /// one is refused) and blank email is refused.
    pub fn update_user(
        &mut self,
        id: u64,
        input: &UserInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let current = self.user(id)?;
        if let Some(name) = &input.username {
            if !name.trim().eq_ignore_ascii_case(&current.username) {
                return Err(invalid("username", "Username cannot be changed."));
            }
        }
        if input.email.is_some() && filled(&input.email).is_none() {
            return Err(missing("email"));
        }
        self.check_user(input, Some(id))?;
        let u = self.users.rows.get_mut_or(Entity::User, id)?;
        let set = |dst: &mut String, src: &Option<String>| {
            if let Some(v) = src {
                *dst = v.trim().to_string();
            }
        };
        set(&mut u.email, &input.email);
        set(&mut u.first_name, &input.first_name);
        set(&mut u.last_name, &input.last_name);
        set(&mut u.phone, &input.phone);
        if let Some(v) = &input.signature {
            u.signature = Some(v.clone());
        }
        if let Some(g) = input.group {
            u.group = g;
        }
        u.udate = now;
        Ok(())
    }

    /// `DELETE /users/{id}`: the token's own user cannot be deleted. Lists, accounts and
    /// deals the user owns keep the owner id.
    pub fn delete_user(&mut self, id: u64) -> StoreResult<()> {
        self.user(id)?;
        if id == self.users.token_user {
            return Err(invalid(
                "id",
                "The user making the request cannot be deleted.",
            ));
        }
        self.users.rows.remove_or(Entity::User, id)?;
        Ok(())
    }

    /// Users in id order.
    pub fn list_users(&self) -> Vec<&User> {
        self.users.rows.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::now;

    fn input(username: &str, email: &str) -> UserInput {
        UserInput {
            username: Some(username.into()),
            email: Some(email.into()),
            group: Some(1),
            ..Default::default()
        }
    }

    #[test]
    fn seeded_admin_is_the_token_user_and_cannot_be_deleted() {
        let mut s = Store::new();
        assert_eq!(s.token_user().expect("me").username, "admin");
        assert!(s.delete_user(1).is_err());
        let id = s
            .create_user(&input("jdoe", "j@x.co"), now())
            .expect("create");
        assert_eq!(id, 2);
        s.delete_user(id).expect("delete");
        assert!(s.user(id).is_err());
    }

    #[test]
    fn usernames_and_emails_are_unique_and_username_is_fixed() {
        let mut s = Store::new();
        let id = s
            .create_user(&input("jdoe", "j@x.co"), now())
            .expect("create");
        assert!(matches!(
            s.create_user(&input("JDOE", "other@x.co"), now()),
            Err(StoreError::Duplicate { .. })
        ));
        assert!(matches!(
            s.create_user(&input("other", "J@X.CO"), now()),
            Err(StoreError::Duplicate { .. })
        ));
        let rename = UserInput {
            username: Some("new".into()),
            ..Default::default()
        };
        assert!(s.update_user(id, &rename, now()).is_err());
        let no_group = UserInput {
            group: Some(99),
            ..Default::default()
        };
        assert!(matches!(
            s.update_user(id, &no_group, now()),
            Err(StoreError::NotFound { .. })
        ));
    }
}
