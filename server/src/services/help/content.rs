//! Help-center content as files: Markdown with front matter, TOML between `+++`
//! lines (the format of `content/README.md`) or YAML between `---` lines (what
//! Jekyll, Docusaurus, MkDocs and most exports write); the same fields either way.
//! Files under a `posts` folder are community posts, every other `.md` file an
//! article; the slug is the file name.

use domain::Locale;
use domain::ProductFamily;
use domain::help::is_slug;
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleMeta {
    pub title: String,
    pub locale: String,
    pub family: String,
    #[serde(default)]
    pub product: Option<String>,
    pub category: String,
    #[serde(default = "yes")]
    pub published: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerMeta {
    pub author: String,
    #[serde(default)]
    pub accepted: bool,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostMeta {
    pub title: String,
    pub locale: String,
    pub family: String,
    #[serde(default)]
    pub product: Option<String>,
    pub category: String,
    pub author: String,
    pub asked: Day,
    #[serde(default)]
    pub answers: Vec<AnswerMeta>,
}

/// A day, YYYY-MM-DD: a TOML date (`asked = 2026-05-14`) or YAML's (`asked:
/// 2026-05-14`, which reaches us as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day(pub String);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = Day;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date, YYYY-MM-DD")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Day, E> {
                chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map(|d| Day(d.to_string()))
                    .map_err(|_| E::custom(format!("{text:?} is not a date (YYYY-MM-DD)")))
            }

            // TOML hands its dates over as a one-entry map.
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Day, A::Error> {
                let at = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let day = at.date.ok_or_else(|| de::Error::custom("a date without a day"))?;
                self.visit_str(&day.to_string())
            }
        }
        d.deserialize_any(Either)
    }
}

/// How a file's front matter is written, told by its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Between `+++` lines.
    Toml,
    /// Between `---` lines.
    Yaml,
}

impl Format {
    fn fence(self) -> &'static str {
        match self {
            Format::Toml => "+++",
            Format::Yaml => "---",
        }
    }

    /// The front matter read as `T`; on failure the line (counted from the file's
    /// first line, the opening fence) and what is wrong.
    fn read<T: DeserializeOwned>(self, front: &str) -> Result<T, (usize, String)> {
        match self {
            Format::Toml => toml::from_str(front).map_err(|e| {
                let line = e
                    .span()
                    .map(|s| front[..s.start.min(front.len())].matches('\n').count())
                    .unwrap_or(0);
                (2 + line, e.message().to_owned())
            }),
            Format::Yaml => yaml_serde::from_str(front).map_err(|e| {
                let line = e.location().map_or(1, |l| l.line());
                (1 + line, e.to_string())
            }),
        }
    }
}

/// One file's content, checked.
#[derive(Debug, Clone)]
pub struct Item {
    pub slug: String,
    pub locale: Locale,
    pub family: ProductFamily,
    pub product: Option<String>,
    pub category: String,
    pub title: String,
    pub body_md: String,
    pub published: bool,
    /// Only for community posts.
    pub post: Option<PostExtra>,
}

impl Item {
    /// The item as the search index takes it, its Markdown rendered to plain text.
    pub fn search_doc(&self) -> crate::search::SearchDoc {
        crate::search::SearchDoc {
            kind: if self.post.is_some() {
                domain::wire::help::ItemKind::Post
            } else {
                domain::wire::help::ItemKind::Article
            },
            slug: self.slug.clone(),
            locale: self.locale,
            family: self.family.as_str().to_owned(),
            category: self.category.clone(),
            title: self.title.clone(),
            body: crate::markdown::render(&self.body_md).text,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PostExtra {
    pub author: String,
    pub asked_on: String,
    pub answers: Vec<AnswerMeta>,
}

/// A file that cannot be imported: where, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct ContentError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

const PRODUCTS: [&str; 3] = ["springcm", "protect_sign", "ksign"];

/// Parses one file. `is_post` comes from where the file lies.
pub fn parse(path: &Path, text: &str, is_post: bool) -> Result<Item, ContentError> {
    let err = |line: usize, message: String| ContentError {
        path: path.to_owned(),
        line,
        message,
    };
    let slug = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
    if !is_slug(&slug) {
        return Err(err(1, format!("the file name {slug:?} is not a slug (a-z, 0-9 and -)")));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format = [Format::Toml, Format::Yaml]
        .into_iter()
        .find(|f| text.starts_with(&format!("{}\n", f.fence())) || text.starts_with(&format!("{}\r\n", f.fence())))
        .ok_or_else(|| {
            err(
                1,
                "the file must start with a +++ (TOML) or --- (YAML) line: the front matter".into(),
            )
        })?;
    let rest = &text[text.find('\n').map_or(text.len(), |i| i + 1)..];
    let Some(end) = rest.find(&format!("\n{}", format.fence())) else {
        return Err(err(
            1,
            format!("the front matter has no closing {} line", format.fence()),
        ));
    };
    let front = &rest[..end + 1];
    let body = rest[end + 4..].trim_start_matches(['\r', '\n']).trim_end().to_owned();
    let (title, locale, family, product, category, published, post) = if is_post {
        let m: PostMeta = format.read(front).map_err(|(line, message)| err(line, message))?;
        let extra = PostExtra {
            author: m.author,
            asked_on: m.asked.0,
            answers: m.answers,
        };
        (m.title, m.locale, m.family, m.product, m.category, true, Some(extra))
    } else {
        let m: ArticleMeta = format.read(front).map_err(|(line, message)| err(line, message))?;
        (m.title, m.locale, m.family, m.product, m.category, m.published, None)
    };
    let line_of_key = |key: &str| 2 + front.lines().position(|l| l.trim_start().starts_with(key)).unwrap_or(0);
    let locale = Locale::parse(&locale)
        .filter(|l| l.as_str() == locale)
        .ok_or_else(|| err(line_of_key("locale"), format!("locale {locale:?} is not fr or en")))?;
    let family = ProductFamily::parse(&family).ok_or_else(|| {
        err(
            line_of_key("family"),
            format!("family {family:?} is not esignature or other"),
        )
    })?;
    if !domain::help::is_category(&category) {
        return Err(err(line_of_key("category"), format!("unknown category {category:?}")));
    }
    match (&family, product.as_deref()) {
        (ProductFamily::Other, Some(p)) if PRODUCTS.contains(&p) => {}
        (ProductFamily::Other, p) => {
            return Err(err(
                line_of_key("product"),
                format!("product {p:?} is not one of {PRODUCTS:?}"),
            ));
        }
        (ProductFamily::Esignature, Some(_)) => {
            return Err(err(
                line_of_key("product"),
                "only family = \"other\" has a product".into(),
            ));
        }
        (ProductFamily::Esignature, None) => {}
    }
    let title = title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(err(
            line_of_key("title"),
            "the title must have 1 to 300 characters".into(),
        ));
    }
    if body.is_empty() {
        return Err(err(2 + front.lines().count(), "the body is empty".into()));
    }
    Ok(Item {
        slug,
        locale,
        family,
        product,
        category,
        title,
        body_md: body,
        published,
        post,
    })
}

/// Every `.md` file under `dir`, parsed; the good ones and the errors, both sorted.
pub fn load_dir(dir: &Path) -> (Vec<Item>, Vec<ContentError>) {
    let mut files = Vec::new();
    collect(dir, false, &mut files);
    files.sort();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (path, is_post) in files {
        match std::fs::read_to_string(&path) {
            Ok(text) => match parse(&path, &text, is_post) {
                Ok(item) => items.push(item),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(ContentError {
                path,
                line: 0,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    (items, errors)
}

fn collect(dir: &Path, in_posts: bool, out: &mut Vec<(PathBuf, bool)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let posts = in_posts || path.file_name().is_some_and(|n| n == "posts");
            collect(&path, posts, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push((path, in_posts));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(front: &str) -> Result<Item, ContentError> {
        parse(
            Path::new("x/articles/my-slug.md"),
            &format!("+++\n{front}\n+++\nBody text.\n"),
            false,
        )
    }

    #[test]
    fn a_good_article_parses() {
        let item = article("title = \"Hello\"\nlocale = \"fr\"\nfamily = \"esignature\"\ncategory = \"sending\"")
            .expect("valid");
        assert_eq!(item.slug, "my-slug");
        assert_eq!(item.locale, Locale::Fr);
        assert_eq!(item.body_md, "Body text.");
    }

    #[test]
    fn problems_are_named_with_their_line() {
        let e = article("title = \"Hello\"\nlocale = \"fr\"\nfamily = \"esignature\"\ncategory = \"nope\"")
            .expect_err("bad category");
        assert_eq!(e.line, 5);
        assert!(e.message.contains("nope"));
        let e = article("title = \"Hello\"\nlocale = fr\n").expect_err("bad toml");
        assert_eq!(e.line, 3, "{e}");
        let e = parse(Path::new("a/B ad.md"), "+++\n+++\nx", false).expect_err("bad slug");
        assert!(e.message.contains("slug"));
        let e = parse(Path::new("a/ok.md"), "no front matter", false).expect_err("no front matter");
        assert_eq!(e.line, 1);
    }

    #[test]
    fn the_shipped_content_is_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/help");
        let (items, errors) = load_dir(&dir);
        assert!(errors.is_empty(), "{errors:?}");
        for locale in Locale::ALL {
            let articles = items.iter().filter(|i| i.locale == locale && i.post.is_none()).count();
            let posts = items.iter().filter(|i| i.locale == locale && i.post.is_some()).count();
            assert!(articles >= 150, "{locale:?}: {articles} articles");
            assert!(posts >= 50, "{locale:?}: {posts} posts");
        }
        assert!(items.iter().any(|i| i.slug == "what-information-does-support-need"));
    }
}
