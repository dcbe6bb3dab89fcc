-- wrk: POST /api/sign_in with a wrong password, as JavaScript does. Every request
-- costs an Argon2 check (the bench server's failure limit is out of reach).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.body = "family=esignature&email=claire.martin%40example.com&password=not-the-password"
