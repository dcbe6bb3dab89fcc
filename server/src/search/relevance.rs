//! Relevance you can prove: a labelled set of realistic subject lines per language
//! (`content/relevance/<locale>/*.toml`), the articles that should come first, and
//! the figures: MRR@5 (how high the first right article ranks) and recall@5 (how
//! often one is in the top five).

use super::{SearchDoc, SearchIndex};
use crate::services::help::content;
use domain::Locale;
use serde::Deserialize;
use std::path::Path;

pub const CUTOFF: usize = 5;

#[derive(Debug, Deserialize)]
struct CaseFile {
    #[serde(default)]
    case: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub query: String,
    pub expect: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Figures {
    pub locale: Locale,
    pub cases: usize,
    pub mrr: f64,
    pub recall: f64,
    /// The cases with no expected article in the top five, for tuning.
    pub misses: Vec<(Case, Vec<String>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum RelevanceError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("content: {0}")]
    Content(String),
    #[error(transparent)]
    Index(#[from] super::IndexError),
}

/// Builds the index from `content/help` and scores `content/relevance`.
pub fn evaluate(content_root: &Path) -> Result<Vec<Figures>, RelevanceError> {
    let (items, errors) = content::load_dir(&content_root.join("help"));
    if let Some(e) = errors.first() {
        return Err(RelevanceError::Content(e.to_string()));
    }
    let docs: Vec<SearchDoc> = items.iter().filter(|i| i.published).map(|i| i.search_doc()).collect();
    let index = SearchIndex::build(&docs)?;
    let mut out = Vec::new();
    for locale in Locale::ALL {
        let cases = load_cases(&content_root.join("relevance").join(locale.as_str()))?;
        out.push(score(&index, locale, &cases));
    }
    Ok(out)
}

pub fn load_cases(dir: &Path) -> Result<Vec<Case>, RelevanceError> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| RelevanceError::File {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| RelevanceError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let file: CaseFile = toml::from_str(&text).map_err(|e| RelevanceError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        cases.extend(file.case);
    }
    Ok(cases)
}

pub fn score(index: &SearchIndex, locale: Locale, cases: &[Case]) -> Figures {
    let mut reciprocal = 0.0;
    let mut found = 0usize;
    let mut misses = Vec::new();
    for case in cases {
        let ranked = index.rank_articles(locale, &case.query, CUTOFF);
        match ranked.iter().position(|slug| case.expect.contains(slug)) {
            Some(rank) => {
                found += 1;
                reciprocal += 1.0 / (rank as f64 + 1.0);
            }
            None => misses.push((case.clone(), ranked)),
        }
    }
    let n = cases.len().max(1) as f64;
    Figures {
        locale,
        cases: cases.len(),
        mrr: reciprocal / n,
        recall: found as f64 / n,
        misses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bar, held on every test run: the labelled set must keep passing.
    #[test]
    fn the_labelled_subjects_find_their_articles() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let figures = evaluate(&root).expect("relevance set");
        for f in figures {
            assert!(f.cases >= 100, "{:?}: only {} cases", f.locale, f.cases);
            assert!(f.recall >= 0.9, "{:?}: recall@5 {:.3}", f.locale, f.recall);
            assert!(f.mrr >= 0.75, "{:?}: MRR@5 {:.3}", f.locale, f.mrr);
        }
    }
}
