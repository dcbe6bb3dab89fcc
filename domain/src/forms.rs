//! Ticket forms as data. One definition per product family (loaded by the server
//! from `config/forms.toml`) drives the form the browser renders, the validation both
//! sides run, and the fields stored with the ticket.

use super::ProductFamily;
use crate::Locale;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// A text in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub fr: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Fr => &self.fr,
            Locale::En => &self.en,
        }
    }
}

/// One choice of a select or a count range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: Localized,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldKind {
    ShortText {
        #[serde(default)]
        min: usize,
        max: usize,
    },
    LongText {
        #[serde(default)]
        min: usize,
        max: usize,
    },
    Select {
        options: Vec<Choice>,
    },
    YesNoNotSure,
    /// An ISO date (YYYY-MM-DD), optionally not after today.
    Date {
        #[serde(default)]
        not_future: bool,
    },
    CountRange {
        options: Vec<Choice>,
    },
    Uuid,
    File,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// The form field's name, and the key under which its value is stored.
    pub name: String,
    #[serde(flatten)]
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    pub label: Localized,
    #[serde(default)]
    pub help: Option<Localized>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyForm {
    pub family: ProductFamily,
    pub fields: Vec<FieldDef>,
}

impl FamilyForm {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Every family's form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSet {
    #[serde(rename = "family")]
    pub families: Vec<FamilyForm>,
}

/// What is wrong with a form definition (found at start-up, named precisely).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("family {family}: field {field:?} is defined twice")]
    DuplicateField { family: &'static str, field: String },
    #[error("family {family}: field {field:?} has min {min} above max {max}")]
    Bounds {
        family: &'static str,
        field: String,
        min: usize,
        max: usize,
    },
    #[error("family {family}: field {field:?} has no options")]
    NoOptions { family: &'static str, field: String },
    #[error("family {family}: field {field:?} has an empty label")]
    NoLabel { family: &'static str, field: String },
    #[error("family {family}: field {field:?} has a name that is not [a-z0-9_]+")]
    BadName { family: &'static str, field: String },
    #[error("family {family}: the form needs a required short-text field named \"subject\"")]
    NoSubject { family: &'static str },
    #[error("family {family}: at most one file field")]
    TwoFiles { family: &'static str },
    #[error("family {family} is defined twice")]
    DuplicateFamily { family: &'static str },
    #[error("no form for family {family}")]
    MissingFamily { family: &'static str },
}

/// Names the form machinery reserves for itself.
pub const RESERVED: [&str; 3] = ["family", "idempotency_key", "switch_family"];

impl FormSet {
    pub fn form(&self, family: ProductFamily) -> Option<&FamilyForm> {
        self.families.iter().find(|f| f.family == family)
    }

    /// Checks a definition as loaded from the config file.
    pub fn check(&self) -> Result<(), SchemaError> {
        let mut seen = HashSet::new();
        for form in &self.families {
            let family = form.family.as_str();
            if !seen.insert(form.family) {
                return Err(SchemaError::DuplicateFamily { family });
            }
            let mut names = HashSet::new();
            let mut files = 0;
            for f in &form.fields {
                let field = f.name.clone();
                let valid_name = !f.name.is_empty()
                    && f.name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    && !RESERVED.contains(&f.name.as_str());
                if !valid_name {
                    return Err(SchemaError::BadName { family, field });
                }
                if !names.insert(f.name.as_str()) {
                    return Err(SchemaError::DuplicateField { family, field });
                }
                if f.label.fr.trim().is_empty() || f.label.en.trim().is_empty() {
                    return Err(SchemaError::NoLabel { family, field });
                }
                match &f.kind {
                    FieldKind::ShortText { min, max } | FieldKind::LongText { min, max } if min > max || *max == 0 => {
                        return Err(SchemaError::Bounds {
                            family,
                            field,
                            min: *min,
                            max: *max,
                        });
                    }
                    FieldKind::Select { options } | FieldKind::CountRange { options } if options.is_empty() => {
                        return Err(SchemaError::NoOptions { family, field });
                    }
                    FieldKind::File => files += 1,
                    _ => {}
                }
            }
            if files > 1 {
                return Err(SchemaError::TwoFiles { family });
            }
            let subject_ok = form
                .fields
                .iter()
                .any(|f| f.name == "subject" && f.required && matches!(f.kind, FieldKind::ShortText { .. }));
            if !subject_ok {
                return Err(SchemaError::NoSubject { family });
            }
        }
        for family in ProductFamily::ALL {
            if self.form(family).is_none() {
                return Err(SchemaError::MissingFamily {
                    family: family.as_str(),
                });
            }
        }
        Ok(())
    }
}

/// Why a value is refused; each has a message in the catalogues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    NotAnOption,
    BadDate,
    FutureDate,
    BadUuid,
    FileTooLarge {
        max_bytes: u64,
    },
    /// Executables and scripts are refused.
    FileTypeRefused,
    /// A field the form does not have (a hand-made request, or the other family's).
    Unknown,
}

impl FieldProblem {
    pub fn message_key(&self) -> &'static str {
        match self {
            FieldProblem::Required => "validation.required",
            FieldProblem::TooShort { .. } => "validation.too_short",
            FieldProblem::TooLong { .. } => "validation.too_long",
            FieldProblem::NotAnOption => "validation.not_an_option",
            FieldProblem::BadDate => "validation.bad_date",
            FieldProblem::FutureDate => "validation.future_date",
            FieldProblem::BadUuid => "validation.bad_uuid",
            FieldProblem::FileTooLarge { .. } => "validation.file_too_large",
            FieldProblem::FileTypeRefused => "validation.file_type",
            FieldProblem::Unknown => "validation.unknown",
        }
    }

    /// The message, from its text in the user's language (the catalogue's entry for
    /// `message_key`), with its number filled in.
    pub fn message(&self, text: &str) -> String {
        match self {
            FieldProblem::TooShort { min } => text.replace("{n}", &min.to_string()),
            FieldProblem::TooLong { max } => text.replace("{n}", &max.to_string()),
            FieldProblem::FileTooLarge { max_bytes } => {
                text.replace("{n}", &crate::size::human_size(*max_bytes as i64))
            }
            _ => text.to_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: FieldProblem,
}

/// Counts characters as a person does (not bytes).
fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Checks one value; `Ok(None)` for an empty optional field, `Ok(Some(v))` with the
/// value as it will be stored (trimmed, normalised).
pub fn check_field(def: &FieldDef, raw: &str, today: &str) -> Result<Option<String>, FieldProblem> {
    let value = raw.trim();
    if matches!(def.kind, FieldKind::File) {
        // Files are checked by the upload path; the form value is just a name.
        return Ok(None);
    }
    if value.is_empty() {
        return if def.required {
            Err(FieldProblem::Required)
        } else {
            Ok(None)
        };
    }
    match &def.kind {
        FieldKind::ShortText { min, max } | FieldKind::LongText { min, max } => {
            let value = super::text::typed(value);
            let value = value.trim();
            let n = chars(value);
            if n < *min {
                Err(FieldProblem::TooShort { min: *min })
            } else if n > *max {
                Err(FieldProblem::TooLong { max: *max })
            } else {
                Ok(Some(value.to_owned()))
            }
        }
        FieldKind::Select { options } | FieldKind::CountRange { options } => options
            .iter()
            .any(|o| o.value == value)
            .then(|| Some(value.to_owned()))
            .ok_or(FieldProblem::NotAnOption),
        FieldKind::YesNoNotSure => ["yes", "no", "not_sure"]
            .contains(&value)
            .then(|| Some(value.to_owned()))
            .ok_or(FieldProblem::NotAnOption),
        FieldKind::Date { not_future } => {
            if !is_iso_date(value) {
                Err(FieldProblem::BadDate)
            } else if *not_future && value > today {
                // ISO dates compare as strings.
                Err(FieldProblem::FutureDate)
            } else {
                Ok(Some(value.to_owned()))
            }
        }
        FieldKind::Uuid => uuid::Uuid::try_parse(value)
            .map(|u| Some(u.hyphenated().to_string()))
            .map_err(|_| FieldProblem::BadUuid),
        FieldKind::File => Ok(None),
    }
}

/// YYYY-MM-DD naming a real calendar day (leap years included).
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if !s[0..4]
        .bytes()
        .chain(s[5..7].bytes())
        .chain(s[8..10].bytes())
        .all(|c| c.is_ascii_digit())
    {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1900 && (1..=days).contains(&d)
}

/// Validates a whole submission against a family's form. Returns the stored values
/// (field name -> normalised value, empty optional fields left out) or every problem.
pub fn validate(
    form: &FamilyForm,
    values: &BTreeMap<String, String>,
    today: &str,
) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
    let mut clean = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, _) in values.iter() {
        if !form.fields.iter().any(|f| &f.name == name) {
            errors.push(FieldError {
                field: name.clone(),
                problem: FieldProblem::Unknown,
            });
        }
    }
    for def in &form.fields {
        let raw = values.get(&def.name).map(String::as_str).unwrap_or("");
        match check_field(def, raw, today) {
            Ok(Some(v)) => {
                clean.insert(def.name.clone(), v);
            }
            Ok(None) => {}
            Err(problem) => errors.push(FieldError {
                field: def.name.clone(),
                problem,
            }),
        }
    }
    if errors.is_empty() { Ok(clean) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TODAY: &str = "2026-11-27";

    fn shipped() -> FormSet {
        let text = include_str!("../../config/forms.toml");
        toml::from_str(text).expect("config/forms.toml parses")
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_shipped_forms_are_valid_and_match_the_spec() {
        let set = shipped();
        set.check().expect("valid");
        let esig = set.form(ProductFamily::Esignature).expect("esignature");
        let names: Vec<_> = esig.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "subject",
                "started_on",
                "happened_before",
                "users_affected",
                "envelope_id",
                "description",
                "attachment"
            ]
        );
        let required: Vec<_> = esig
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(required, ["subject", "description"]);
        let other = set.form(ProductFamily::Other).expect("other");
        let required: Vec<_> = other
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(
            required,
            ["product", "subject", "environment", "business_impact", "description"]
        );
        assert!(other.field("envelope_id").is_none() && other.field("happened_before").is_none());
    }

    #[test]
    fn a_good_submission_is_normalised() {
        let set = shipped();
        let form = set.form(ProductFamily::Esignature).expect("form");
        let clean = validate(
            form,
            &values(&[
                ("subject", "  Signing fails  "),
                ("description", "The envelope cannot be signed since Monday."),
                ("envelope_id", "3F2504E0-4F89-41D3-9A0C-0305E82C3301"),
                ("started_on", "2026-11-20"),
                ("happened_before", "no"),
            ]),
            TODAY,
        )
        .expect("valid");
        assert_eq!(clean["subject"], "Signing fails");
        assert_eq!(clean["envelope_id"], "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
        assert!(!clean.contains_key("users_affected"));
    }

    #[test]
    fn every_problem_is_named_on_its_field() {
        let set = shipped();
        let form = set.form(ProductFamily::Esignature).expect("form");
        let errors = validate(
            form,
            &values(&[
                ("subject", "abc"),
                ("envelope_id", "not-a-uuid"),
                ("started_on", "2099-01-01"),
                ("users_affected", "a million"),
                ("product", "ksign"),
            ]),
            TODAY,
        )
        .expect_err("invalid");
        let by_field: BTreeMap<_, _> = errors.iter().map(|e| (e.field.as_str(), e.problem.clone())).collect();
        assert_eq!(by_field["subject"], FieldProblem::TooShort { min: 5 });
        assert_eq!(by_field["description"], FieldProblem::Required);
        assert_eq!(by_field["envelope_id"], FieldProblem::BadUuid);
        assert_eq!(by_field["started_on"], FieldProblem::FutureDate);
        assert_eq!(by_field["users_affected"], FieldProblem::NotAnOption);
        // A field of the other family is refused, not ignored.
        assert_eq!(by_field["product"], FieldProblem::Unknown);
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let def = FieldDef {
            name: "subject".into(),
            kind: FieldKind::ShortText { min: 5, max: 6 },
            required: true,
            label: Localized {
                fr: "Objet".into(),
                en: "Subject".into(),
            },
            help: None,
        };
        assert_eq!(check_field(&def, "éééééé", TODAY), Ok(Some("éééééé".into())));
        assert_eq!(
            check_field(&def, "ééééééé", TODAY),
            Err(FieldProblem::TooLong { max: 6 })
        );
    }

    #[test]
    fn dates_must_exist() {
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2026-02-29"));
        assert!(!is_iso_date("2026-13-01"));
        assert!(!is_iso_date("2026-1-01"));
        assert!(!is_iso_date("+026-01-01"));
        assert!(!is_iso_date("２０２６-01-01"));
    }

    #[test]
    fn broken_definitions_are_named() {
        let mut set = shipped();
        let first = set.families[0].fields[0].clone();
        set.families[0].fields.push(first);
        assert_eq!(
            set.check(),
            Err(SchemaError::DuplicateField {
                family: "esignature",
                field: "subject".into()
            })
        );
        let mut set = shipped();
        set.families[1].fields[0].kind = FieldKind::Select { options: vec![] };
        assert_eq!(
            set.check(),
            Err(SchemaError::NoOptions {
                family: "other",
                field: "product".into()
            })
        );
        let bad: Result<FormSet, _> = toml::from_str(
            "[[family]]\nfamily = \"esignature\"\n[[family.fields]]\nname = \"x\"\nkind = \"colour\"\nlabel = { fr = \"a\", en = \"b\" }\n",
        );
        assert!(bad.is_err());
    }

    fn any_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            ".{0,40}",
            "[a-z ]{0,300}",
            Just("3f2504e0-4f89-41d3-9a0c-0305e82c3301".to_string()),
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            prop::sample::select(vec![
                "yes",
                "no",
                "not_sure",
                "1",
                "2-10",
                "51+",
                "ksign",
                "production",
                "high"
            ])
            .prop_map(str::to_string),
        ]
    }

    proptest! {
        /// The browser checks each field as the user leaves it; the server checks the
        /// whole submission. On any input they agree, field by field, and nothing panics.
        #[test]
        fn browser_and_server_agree(
            family in prop::sample::select(vec![ProductFamily::Esignature, ProductFamily::Other]),
            raw in prop::collection::btree_map(
                prop::sample::select(vec!["subject", "description", "envelope_id", "started_on",
                    "happened_before", "users_affected", "product", "environment", "business_impact",
                    "account_id", "bogus"]).prop_map(str::to_string),
                any_value(),
                0..11,
            ),
        ) {
            let set = shipped();
            let form = set.form(family).expect("form");
            let server = validate(form, &raw, TODAY);
            let mut browser: Vec<FieldError> = Vec::new();
            for (name, _) in raw.iter().filter(|(n, _)| form.field(n).is_none()) {
                browser.push(FieldError { field: name.clone(), problem: FieldProblem::Unknown });
            }
            for def in &form.fields {
                let v = raw.get(&def.name).map(String::as_str).unwrap_or("");
                if let Err(problem) = check_field(def, v, TODAY) {
                    browser.push(FieldError { field: def.name.clone(), problem });
                }
            }
            match server {
                Ok(clean) => {
                    prop_assert!(browser.is_empty());
                    for (k, v) in &clean {
                        prop_assert_eq!(v.trim(), v.as_str());
                        prop_assert!(form.field(k).is_some());
                    }
                }
                Err(errors) => prop_assert_eq!(errors, browser),
            }
        }

        #[test]
        fn no_value_panics_any_field(value in "\\PC{0,500}") {
            let set = shipped();
            for form in &set.families {
                for def in &form.fields {
                    let _ = check_field(def, &value, TODAY);
                }
            }
        }
    }
}
