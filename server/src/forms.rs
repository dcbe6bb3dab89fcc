//! Loads the ticket forms: `config/forms.toml` is compiled in as the default, and
//! `GUICHET_FORMS` may name another file. A mistake stops start-up, named.

use domain::forms::FormSet;
use std::path::Path;

const DEFAULT: &str = include_str!("../../config/forms.toml");

#[derive(Debug, thiserror::Error)]
pub enum FormsError {
    #[error("cannot read the forms file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("forms file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("forms file {path}: {source}")]
    Invalid {
        path: String,
        source: domain::forms::SchemaError,
    },
}

pub fn load(path: Option<&Path>) -> Result<FormSet, FormsError> {
    let (name, text) = match path {
        None => ("config/forms.toml (built in)".to_owned(), DEFAULT.to_owned()),
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p).map_err(|source| FormsError::Read {
                path: p.display().to_string(),
                source,
            })?,
        ),
    };
    parse(&name, &text)
}

pub fn parse(name: &str, text: &str) -> Result<FormSet, FormsError> {
    // toml's message names the line, the column and the key at fault.
    let set: FormSet = toml::from_str(text).map_err(|e| FormsError::Parse {
        path: name.to_owned(),
        message: e.to_string().trim().replace('\n', " "),
    })?;
    set.check().map_err(|source| FormsError::Invalid {
        path: name.to_owned(),
        source,
    })?;
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_loads() {
        let set = load(None).expect("default forms");
        assert_eq!(set.families.len(), 2);
    }

    #[test]
    fn mistakes_are_named() {
        let broken = DEFAULT.replacen("kind = \"uuid\"", "kind = \"uuidd\"", 1);
        let e = parse("forms.toml", &broken).unwrap_err().to_string();
        assert!(e.contains("forms.toml") && e.contains("uuidd"), "{e}");
        let dup = DEFAULT.replacen("name = \"started_on\"", "name = \"subject\"", 1);
        let e = parse("forms.toml", &dup).unwrap_err().to_string();
        assert!(e.contains("field \"subject\" is defined twice"), "{e}");
    }
}
