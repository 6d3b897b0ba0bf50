"""Web pages for the room head and the committee (Romanian), with cookie logins and CSRF."""
