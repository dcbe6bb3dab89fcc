//! Benchmark helpers (run by `scripts/bench.sh`, never by the tests):
//!
//!   bench raw-inserts DATABASE_URL N CONCURRENCY
//!       inserts N tickets (ticket, fields, event: the rows the HTTP endpoint
//!       writes) straight through SeaORM and prints tickets per second, the
//!       baseline of the endpoint's throughput;
//!   bench seed-queue DATABASE_URL TOTAL MINE
//!       fills the database with TOTAL tickets, MINE of them Claire's, and prints
//!       the cursor of her queue's page 200;
//!   bench seed-articles DATABASE_URL N
//!       imports the demo help center, then adds articles up to N in all, made
//!       from the demo ones (so the words and their spread stay realistic);
//!   bench sweep DATABASE_URL TOTAL DUE
//!       fills the database with TOTAL tickets, DUE of them resolved past the grace
//!       period, prints the query plan of the sweep's candidate query, then times
//!       one sweep;
//!   bench outbox DATABASE_URL N
//!       the outbox's delivery throughput to the loopback SMTP sink: first the
//!       sink's own ceiling (N messages straight from lettre, as many at once as
//!       the worker sends), then N messages written to the outbox and delivered by
//!       the worker, each claimed, sent and marked sent;
//!   bench suggest-inproc CONTENT_DIR N
//!       the CPU cost of one suggestion's answer (the JSON the endpoint sends),
//!       in process, over N such articles, for the labelled subject lines
//!       (BENCH_ROUNDS rounds, 3 by default: more for perf; BENCH_UNIQUE=1 adds
//!       a word of its own to each, as the HTTP benchmark does; BENCH_EVICT=MB
//!       reads MB megabytes between two suggestions, untimed, so that the index
//!       is as cold in the processor's caches as a server's other work leaves it);
//!   bench index-build CONTENT_DIR N
//!       builds the search index over N such articles in memory and prints the
//!       time it took and the memory it holds.

use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect, TransactionTrait};
use server::db::entities::{account, ticket, ticket_event, ticket_field, user};
use std::time::Instant;

/// The same allocator as the `guichet` binary, so in-process figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| {
        args.get(i)
            .cloned()
            .ok_or_else(|| "usage: see the file's header".to_owned())
    };
    if arg(0)? == "suggest-inproc" {
        let n: usize = arg(2)?.parse().map_err(|_| "N")?;
        return suggest_inproc(std::path::Path::new(&arg(1)?), n);
    }
    if arg(0)? == "index-build" {
        let n: usize = arg(2)?.parse().map_err(|_| "N")?;
        return index_build(std::path::Path::new(&arg(1)?), n);
    }
    let url = arg(1)?;
    let db = server::db::connect(&url).await.map_err(|e| e.to_string())?;
    {
        use sea_orm_migration::MigratorTrait;
        server::db::migrations::Migrator::up(&db, None)
            .await
            .map_err(|e| e.to_string())?;
        server::services::demo::load(&db).await.map_err(|e| e.to_string())?;
    }
    let claire = demo_user(&db, "claire.martin@example.com").await?;
    let jean = demo_user(&db, "jean.dubois@example.com").await?;
    let account = account::Entity::find()
        .filter(account::Column::Name.eq("Atelier Lumière"))
        .one(&db)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no demo account")?;
    match arg(0)?.as_str() {
        "raw-inserts" => {
            let n: usize = arg(2)?.parse().map_err(|_| "N")?;
            let concurrency: usize = arg(3)?.parse().map_err(|_| "CONCURRENCY")?;
            let start = Instant::now();
            let mut tasks = Vec::new();
            for worker in 0..concurrency {
                let db = db.clone();
                let (requester, account) = (claire.id, account.id);
                tasks.push(tokio::spawn(async move {
                    for i in (worker..n).step_by(concurrency) {
                        insert_one(&db, requester, account, i).await?;
                    }
                    Ok::<(), DbErr>(())
                }));
            }
            for t in tasks {
                t.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
            }
            let secs = start.elapsed().as_secs_f64();
            println!("{:.1}", n as f64 / secs);
        }
        "seed-queue" => {
            let total: usize = arg(2)?.parse().map_err(|_| "TOTAL")?;
            let mine: usize = arg(3)?.parse().map_err(|_| "MINE")?;
            let every = (total / mine.max(1)).max(1);
            let now = Utc::now();
            let batch = 500;
            let mut i = 0;
            while i < total {
                let rows: Vec<_> = (i..(i + batch).min(total))
                    .map(|k| ticket::ActiveModel {
                        account_id: Set(account.id),
                        requester_id: Set(if k % every == 0 { claire.id } else { jean.id }),
                        family: Set("esignature".into()),
                        product: Set(None),
                        subject: Set(format!("Question about envelope {k}")),
                        status: Set(ticket::Status::Open),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    })
                    .collect();
                ticket::Entity::insert_many(rows)
                    .exec(&db)
                    .await
                    .map_err(|e| e.to_string())?;
                i += batch;
            }
            // The cursor of page 200 (25 a page): the id of the 4,975th newest of hers.
            let cursor = ticket::Entity::find()
                .filter(ticket::Column::RequesterId.eq(claire.id))
                .order_by_desc(ticket::Column::Id)
                .offset(199 * 25 - 1)
                .limit(1)
                .one(&db)
                .await
                .map_err(|e| e.to_string())?
                .map(|t| t.id)
                .unwrap_or(0);
            println!("{cursor}");
        }
        "sweep" => {
            let total: usize = arg(2)?.parse().map_err(|_| "TOTAL")?;
            let due: usize = arg(3)?.parse().map_err(|_| "DUE")?;
            sweep_bench(&db, claire.id, account.id, total, due).await?;
        }
        "seed-articles" => {
            let n: usize = arg(2)?.parse().map_err(|_| "N")?;
            seed_articles(&db, n).await?;
        }
        "outbox" => {
            let n: usize = arg(2)?.parse().map_err(|_| "N")?;
            outbox_bench(&db, n).await?;
        }
        other => return Err(format!("unknown command {other}")),
    }
    Ok(())
}

async fn demo_user(db: &DatabaseConnection, email: &str) -> Result<user::Model, String> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no demo user {email}"))
}

async fn insert_one(db: &DatabaseConnection, requester: i64, account: i64, i: usize) -> Result<(), DbErr> {
    let now = Utc::now();
    let txn = db.begin().await?;
    let t = ticket::ActiveModel {
        account_id: Set(account),
        requester_id: Set(requester),
        family: Set("esignature".into()),
        product: Set(None),
        subject: Set("Signing fails on every envelope".into()),
        status: Set(ticket::Status::New),
        idempotency_key: Set(Some(format!(
            "raw-{i}-{}",
            now.timestamp_nanos_opt().unwrap_or_default()
        ))),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    ticket_field::Entity::insert_many(
        [
            ("subject", "Signing fails on every envelope"),
            ("description", "Since Monday no envelope can be signed: error 500."),
            ("envelope_id", "3f2504e0-4f89-41d3-9a0c-0305e82c3301"),
        ]
        .map(|(name, value)| ticket_field::ActiveModel {
            ticket_id: Set(t.id),
            name: Set(name.into()),
            value: Set(value.into()),
        }),
    )
    .exec(&txn)
    .await?;
    ticket_event::ActiveModel {
        ticket_id: Set(t.id),
        actor_id: Set(Some(requester)),
        kind: Set(server::db::entities::ticket_event::Kind::Created),
        data: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await
}

/// N documents made from the demo articles: the k-th copies article k mod the count,
/// with its own slug and a numbered title.
fn synthetic(content: &std::path::Path, n: usize) -> Result<Vec<server::search::SearchDoc>, String> {
    use domain::wire::help::ItemKind;
    let (items, _) = server::services::help::content::load_dir(content);
    let base: Vec<_> = items.iter().filter(|i| i.post.is_none()).collect();
    if base.is_empty() {
        return Err(format!("no articles under {}", content.display()));
    }
    let texts: Vec<String> = base.iter().map(|i| server::markdown::render(&i.body_md).text).collect();
    Ok((0..n)
        .map(|k| {
            let b = base[k % base.len()];
            server::search::SearchDoc {
                kind: ItemKind::Article,
                slug: format!("{}-{k}", b.slug),
                locale: b.locale,
                family: b.family.as_str().to_owned(),
                category: b.category.clone(),
                title: format!("{} ({k})", b.title),
                body: texts[k % base.len()].clone(),
            }
        })
        .collect())
}

/// The synthetic articles and the demo's community posts, as the seeded server has.
fn with_posts(content: &std::path::Path, n: usize) -> Result<Vec<server::search::SearchDoc>, String> {
    let mut docs = synthetic(content, n)?;
    let (items, _) = server::services::help::content::load_dir(content);
    docs.extend(items.iter().filter(|i| i.post.is_some()).map(|p| p.search_doc()));
    Ok(docs)
}

fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

fn index_build(content: &std::path::Path, n: usize) -> Result<(), String> {
    let docs = synthetic(content, n)?;
    let before = resident_bytes();
    let start = Instant::now();
    let index = server::search::SearchIndex::build(&docs).map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    let held = resident_bytes().saturating_sub(before);
    // Keep the index alive until measured, and check it answers.
    let found = index
        .rank_articles(domain::Locale::En, "download signed document", 5)
        .len();
    println!(
        "{n} articles: built in {secs:.2} s, {:.1} MiB resident ({found} hits for a test query)",
        held as f64 / 1048576.0
    );
    Ok(())
}

async fn seed_articles(db: &DatabaseConnection, n: usize) -> Result<(), String> {
    use server::db::entities::help_article;
    let content = std::path::Path::new("content/help");
    server::services::help::import::import_dir(db, content)
        .await
        .map_err(|e| e.to_string())?;
    let existing = help_article::Entity::find()
        .count(db)
        .await
        .map_err(|e| e.to_string())? as usize;
    let docs = synthetic(content, n.saturating_sub(existing))?;
    let now = Utc::now();
    for chunk in docs.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|d| help_article::ActiveModel {
                slug: Set(d.slug.clone()),
                locale: Set(d.locale.as_str().to_owned()),
                family: Set(d.family.clone()),
                product: Set(None),
                category: Set(d.category.clone()),
                title: Set(d.title.clone()),
                body_md: Set(d.body.clone()),
                body_text: Set(d.body.clone()),
                body_html: Set(format!("<p>{}</p>", ammonia::clean_text(&d.body))),
                published: Set(true),
                updated_at: Set(now),
                ..Default::default()
            })
            .collect();
        help_article::Entity::insert_many(rows)
            .exec(db)
            .await
            .map_err(|e| e.to_string())?;
    }
    println!(
        "{}",
        help_article::Entity::find()
            .count(db)
            .await
            .map_err(|e| e.to_string())?
    );
    Ok(())
}

/// The search engine alone, in process: every relevance subject, several rounds.
fn suggest_inproc(content: &std::path::Path, n: usize) -> Result<(), String> {
    use domain::Locale;
    use server::services::help::wire;
    let docs = with_posts(content, n)?;
    let index = server::search::SearchIndex::build(&docs).map_err(|e| e.to_string())?;
    let root = content.parent().unwrap_or(content);
    let mut cases = Vec::new();
    for locale in Locale::ALL {
        for c in server::search::relevance::load_cases(&root.join("relevance").join(locale.as_str()))
            .map_err(|e| e.to_string())?
        {
            cases.push((locale, c.query));
        }
    }
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    // As the HTTP benchmark's "every query new": each subject ends with a word of
    // its own, which no cache can have seen and the index does not know.
    let unique = std::env::var("BENCH_UNIQUE").is_ok_and(|u| u == "1");
    let mut counter = 0usize;
    // BENCH_EVICT=MB: reads that many megabytes between two suggestions (not timed),
    // as a server's other work does between two requests, so that the index is as
    // cold in the caches as it is there.
    let evict_mb: usize = std::env::var("BENCH_EVICT")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    // A megabyte is 2^17 of these; one of each cache line's eight is read.
    let evict: Vec<u64> = vec![1; evict_mb << 17];
    for round in 0..rounds {
        let mut spent = std::time::Duration::ZERO;
        for (locale, q) in &cases {
            std::hint::black_box(evict.iter().step_by(8).sum::<u64>());
            let start = Instant::now();
            // What the endpoint does: the suggestions, written as its JSON answer.
            let answer = |q: &str| index.suggest_with(*locale, Some("esignature"), q, wire::found);
            if unique {
                counter += 1;
                std::hint::black_box(answer(&format!("{q} zq1x{counter}")));
            } else {
                std::hint::black_box(answer(q));
            }
            spent += start.elapsed();
        }
        let per = spent.as_secs_f64() * 1e6 / cases.len() as f64;
        println!(
            "round {round}: {per:.1} µs per suggestion ({} subjects, {n} articles)",
            cases.len()
        );
    }
    // Where the time goes: the query and the ranking alone, without the snippets.
    let start = Instant::now();
    for (locale, q) in &cases {
        std::hint::black_box(index.rank_articles(*locale, q, 5));
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / cases.len() as f64;
    println!("of which parsing and ranking (no snippets): {per:.1} µs");
    Ok(())
}

async fn sweep_bench(
    db: &DatabaseConnection,
    requester: i64,
    account: i64,
    total: usize,
    due: usize,
) -> Result<(), String> {
    use sea_orm::{ConnectionTrait, Statement};
    let now = Utc::now();
    let every = (total / due.max(1)).max(1);
    let seed = Instant::now();
    let mut i = 0;
    while i < total {
        let rows: Vec<_> = (i..(i + 1000).min(total))
            .map(|k| {
                // Every `every`-th ticket is due; a few others resolved recently; the
                // rest open.
                let (status, resolved_at) = if k % every == 0 {
                    (ticket::Status::Resolved, Some(now - chrono::Duration::days(6)))
                } else if k % 7 == 0 {
                    (ticket::Status::Resolved, Some(now - chrono::Duration::hours(3)))
                } else {
                    (ticket::Status::Open, None)
                };
                ticket::ActiveModel {
                    account_id: Set(account),
                    requester_id: Set(requester),
                    family: Set("esignature".into()),
                    product: Set(None),
                    subject: Set(format!("Ticket {k}")),
                    status: Set(status),
                    resolved_at: Set(resolved_at),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            })
            .collect();
        ticket::Entity::insert_many(rows)
            .exec(db)
            .await
            .map_err(|e| e.to_string())?;
        i += 1000;
    }
    println!("seeded {total} tickets in {:.1} s", seed.elapsed().as_secs_f64());
    // How the database runs the candidate query: it must use the index.
    let backend = db.get_database_backend();
    let cutoff = now - chrono::Duration::days(5);
    let sql = match backend {
        sea_orm::DatabaseBackend::Sqlite => format!(
            "EXPLAIN QUERY PLAN SELECT id, resolved_at FROM tickets WHERE status = 'resolved' AND resolved_at <= '{}' ORDER BY resolved_at, id LIMIT 500",
            cutoff.format("%Y-%m-%d %H:%M:%S")
        ),
        _ => format!(
            "EXPLAIN SELECT id, resolved_at FROM tickets WHERE status = 'resolved' AND resolved_at <= '{}' ORDER BY resolved_at, id LIMIT 500",
            cutoff.to_rfc3339()
        ),
    };
    for row in db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .map_err(|e| e.to_string())?
    {
        let detail: String = row
            .try_get_by_index::<String>(3)
            .or_else(|_| row.try_get_by_index::<String>(0))
            .unwrap_or_default();
        println!("plan: {detail}");
    }
    let start = Instant::now();
    let grace = std::time::Duration::from_secs(5 * 86_400);
    let notifier = server::mail::Notifier::new("http://127.0.0.1:3000", "support@localhost", "localhost", grace);
    let swept = server::jobs::sweeper::sweep(db, grace, &notifier, now)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "sweep over {total} tickets: {} due read, {} closed, in {:.2} s",
        swept.due,
        swept.closed,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Messages sent at once, by the worker and by the baseline alike.
const MAIL_CONCURRENCY: usize = 8;

async fn outbox_bench(db: &DatabaseConnection, n: usize) -> Result<(), String> {
    use futures::StreamExt;
    use server::mail::compose::{AboutTicket, MailKind, compose};
    use server::mail::sink::SmtpSink;
    use server::mail::worker::{Transport, Worker};
    let sink = SmtpSink::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| e.to_string())?;
    let letter = |i: usize| {
        let about = AboutTicket {
            id: 1,
            number: format!("{}", 10_000_000 + i),
            subject: format!("Envelope {i} stuck in signing"),
        };
        compose(
            &MailKind::Reply {
                who: "Sophie Agent".into(),
                body: "We fixed the certificate; please **try again**.".into(),
            },
            Some(&about),
            "claire.martin@example.com",
            domain::Locale::Fr,
            "http://127.0.0.1:3000",
        )
    };
    let from: lettre::message::Mailbox = "Guichet <no-reply@localhost>".parse().map_err(|_| "from")?;

    // The ceiling: the same messages, built and sent by the same SMTP client with
    // no database.
    let settings = server::mail::smtp::SmtpSettings::parse(&sink.url()).map_err(|e| e.to_owned())?;
    let smtp = server::mail::smtp::SmtpClient::new(
        &settings,
        None,
        std::time::Duration::from_secs(30),
        MAIL_CONCURRENCY as u32,
    )
    .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let sent: Vec<Result<(), String>> = futures::stream::iter(0..n)
        .map(|i| {
            let (smtp, from) = (smtp.clone(), from.clone());
            let l = letter(i);
            async move {
                let m = lettre::Message::builder()
                    .from(from)
                    .to(l.to.parse().map_err(|_| "to")?)
                    .subject(l.subject)
                    .multipart(lettre::message::MultiPart::alternative_plain_html(l.text, l.html))
                    .map_err(|e| e.to_string())?;
                smtp.send(&m).await.map(|_| ()).map_err(|e| e.to_string())
            }
        })
        .buffer_unordered(MAIL_CONCURRENCY)
        .collect()
        .await;
    sent.into_iter().collect::<Result<Vec<_>, _>>()?;
    let ceiling = n as f64 / start.elapsed().as_secs_f64();

    // The outbox: N rows written (in batches, as transactions would), then delivered.
    let now = Utc::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        server::mail::outbox::enqueue(db, chunk.iter().map(|i| letter(*i)).collect(), "localhost", now)
            .await
            .map_err(|e| e.to_string())?;
    }
    let worker = Worker {
        db: db.clone(),
        transport: Transport::new(
            Some(&sink.url()),
            None,
            std::env::temp_dir(),
            std::time::Duration::from_secs(30),
        )
        .map_err(|e| e.to_string())?,
        from,
        lease: std::time::Duration::from_secs(60),
        retry_base: std::time::Duration::from_secs(2),
        concurrency: MAIL_CONCURRENCY,
    };
    let start = Instant::now();
    let mut delivered = 0;
    while delivered < n as u64 {
        let pass = worker.run_once().await.map_err(|e| e.to_string())?;
        if pass.sent == 0 {
            return Err(format!("the worker stopped after {delivered} messages ({pass:?})"));
        }
        delivered += pass.sent;
    }
    let outbox = n as f64 / start.elapsed().as_secs_f64();
    let received = sink.wait_for(2 * n, std::time::Duration::from_secs(10)).await;
    println!("{:<52} {:>12}", "", "messages/s");
    println!(
        "{:<52} {:>12.0}",
        "the sink's ceiling (the SMTP client, no database)", ceiling
    );
    println!(
        "{:<52} {:>12.0}",
        "outbox → worker → sink (claim, send, mark sent)", outbox
    );
    println!(
        "outbox throughput / ceiling: {:.2} ({} messages each; the sink received {received})",
        outbox / ceiling,
        n
    );
    Ok(())
}
