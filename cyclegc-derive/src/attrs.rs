//! Parsing of the `#[trace(...)]` helper attribute.
//!
//! The attribute has three homes, each with its own set of keys: the type
//! (`tracked`, `finalize`), a field (`skip`) and an enum variant (none).
//! Every key that is valid somewhere but not where it was written gets an
//! error that says where it belongs, because that is the likeliest mistake.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, Field, Variant};

/// The name of the helper attribute, as registered by the derive.
const ATTR: &str = "trace";

/// Options that apply to the whole type.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct TypeOptions {
    /// `#[trace(tracked)]`: report `IS_LEAF = false` whatever the fields are.
    pub(crate) tracked: bool,
    /// `#[trace(finalize)]`: route `__finalize` to the type's `Finalize` impl.
    pub(crate) finalize: bool,
    /// `#[trace(class_name = path)]`: `Trace::class_name` calls `path(self)`.
    pub(crate) class_name: Option<ClassName>,
}

/// The path of `#[trace(class_name = path)]` (compared and shown by its
/// tokens: `syn`'s own impls need a feature this crate does not enable).
#[derive(Clone)]
pub(crate) struct ClassName(pub(crate) syn::Path);

impl ClassName {
    fn text(&self) -> String {
        let path = &self.0;
        quote::quote!(#path).to_string()
    }
}

impl std::fmt::Debug for ClassName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl PartialEq for ClassName {
    fn eq(&self, other: &ClassName) -> bool {
        self.text() == other.text()
    }
}

impl Eq for ClassName {}

/// Reads the type-level `#[trace(...)]` attributes.
pub(crate) fn parse_type_options(attrs: &[Attribute]) -> syn::Result<TypeOptions> {
    let mut options = TypeOptions::default();
    for attr in trace_attrs(attrs) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("tracked") {
                set_flag(&mut options.tracked, &meta)
            } else if meta.path.is_ident("finalize") {
                set_flag(&mut options.finalize, &meta)
            } else if meta.path.is_ident("class_name") {
                if options.class_name.is_some() {
                    return Err(meta.error("duplicate `class_name`"));
                }
                options.class_name = Some(ClassName(meta.value()?.parse()?));
                Ok(())
            } else if meta.path.is_ident("skip") {
                Err(meta.error(
                    "`#[trace(skip)]` goes on a field, not on the type; \
                     to make the whole type a leaf, skip its fields or implement `Trace` by hand",
                ))
            } else {
                Err(unknown_key(&meta, "`tracked`, `finalize` or `class_name = path`"))
            }
        })?;
    }
    Ok(options)
}

/// Tells whether a field carries `#[trace(skip)]`.
pub(crate) fn is_skipped(field: &Field) -> syn::Result<bool> {
    let mut skip = false;
    for attr in trace_attrs(&field.attrs) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                set_flag(&mut skip, &meta)
            } else if is_type_key(&meta) {
                Err(meta.error(format!(
                    "`#[trace({})]` goes on the type, not on a field",
                    key_name(&meta)
                )))
            } else {
                Err(unknown_key(&meta, "`skip`"))
            }
        })?;
    }
    Ok(skip)
}

/// Rejects `#[trace(...)]` on an enum variant, where no key is meaningful.
pub(crate) fn check_variant(variant: &Variant) -> syn::Result<()> {
    match trace_attrs(&variant.attrs).next() {
        Some(attr) => Err(syn::Error::new_spanned(
            attr,
            "`#[trace(...)]` is not supported on an enum variant; \
             put `#[trace(skip)]` on its fields, or `tracked`/`finalize` on the enum",
        )),
        None => Ok(()),
    }
}

fn trace_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|attr| attr.path().is_ident(ATTR))
}

/// Sets a flag key, refusing a value and a repetition: both are more likely
/// a typo for something else than an intentional no-op.
fn set_flag(flag: &mut bool, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
        return Err(meta.error(format!("`{}` takes no value", key_name(meta))));
    }
    if *flag {
        return Err(meta.error(format!("duplicate `{}`", key_name(meta))));
    }
    *flag = true;
    Ok(())
}

fn is_type_key(meta: &ParseNestedMeta<'_>) -> bool {
    meta.path.is_ident("tracked") || meta.path.is_ident("finalize") || meta.path.is_ident("class_name")
}

fn unknown_key(meta: &ParseNestedMeta<'_>, expected: &str) -> syn::Error {
    meta.error(format!(
        "unknown `#[trace]` key `{}`; expected {expected}",
        key_name(meta)
    ))
}

fn key_name(meta: &ParseNestedMeta<'_>) -> String {
    let path = &meta.path;
    quote::quote!(#path).to_string().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn type_options(item: syn::DeriveInput) -> syn::Result<TypeOptions> {
        parse_type_options(&item.attrs)
    }

    fn first_field(item: syn::ItemStruct) -> Field {
        item.fields.into_iter().next().expect("test struct has a field")
    }

    fn error_text(result: syn::Result<impl std::fmt::Debug>) -> String {
        result.expect_err("expected an error").to_string()
    }

    #[test]
    fn no_attributes_means_defaults() {
        let options = type_options(parse_quote!(
            #[derive(Trace)]
            struct S;
        ));
        assert_eq!(options.unwrap(), TypeOptions::default());
    }

    #[test]
    fn tracked_and_finalize_combine_in_one_attribute() {
        let options = type_options(parse_quote!(
            #[trace(tracked, finalize)]
            struct S;
        ))
        .unwrap();
        assert!(options.tracked && options.finalize);
    }

    #[test]
    fn tracked_and_finalize_combine_across_attributes() {
        let options = type_options(parse_quote!(
            #[trace(finalize)]
            #[trace(tracked)]
            struct S;
        ))
        .unwrap();
        assert!(options.tracked && options.finalize);
    }

    #[test]
    fn class_name_takes_a_path() {
        let options = type_options(parse_quote!(
            #[trace(tracked, class_name = Self::name)]
            struct S;
        ))
        .unwrap();
        assert!(options.tracked);
        assert_eq!(format!("{:?}", options.class_name.unwrap()), "Self :: name");
        let text = error_text(type_options(parse_quote!(
            #[trace(class_name = a, class_name = b)]
            struct S;
        )));
        assert!(text.contains("duplicate `class_name`"), "{text}");
    }

    #[test]
    fn skip_on_the_type_is_an_error() {
        let text = error_text(type_options(parse_quote!(
            #[trace(skip)]
            struct S;
        )));
        assert!(text.contains("goes on a field"), "{text}");
    }

    #[test]
    fn unknown_type_key_is_an_error_naming_the_key() {
        let text = error_text(type_options(parse_quote!(
            #[trace(leaf)]
            struct S;
        )));
        assert!(text.contains("unknown `#[trace]` key `leaf`"), "{text}");
    }

    #[test]
    fn flag_with_a_value_is_an_error() {
        let text = error_text(type_options(parse_quote!(
            #[trace(tracked = true)]
            struct S;
        )));
        assert!(text.contains("`tracked` takes no value"), "{text}");
    }

    #[test]
    fn duplicate_flag_is_an_error() {
        let text = error_text(type_options(parse_quote!(
            #[trace(finalize, finalize)]
            struct S;
        )));
        assert!(text.contains("duplicate `finalize`"), "{text}");
    }

    #[test]
    fn bare_trace_attribute_is_an_error() {
        let result = type_options(parse_quote!(
            #[trace]
            struct S;
        ));
        assert!(result.is_err());
    }

    #[test]
    fn other_attributes_are_ignored() {
        let options = type_options(parse_quote!(
            #[derive(Debug)]
            #[doc = "x"]
            struct S;
        ));
        assert_eq!(options.unwrap(), TypeOptions::default());
    }

    #[test]
    fn field_skip_is_detected() {
        let field = first_field(parse_quote!(
            struct S {
                #[trace(skip)]
                a: u8,
            }
        ));
        assert!(is_skipped(&field).unwrap());
    }

    #[test]
    fn field_without_attribute_is_traced() {
        let field = first_field(parse_quote!(
            struct S {
                a: u8,
            }
        ));
        assert!(!is_skipped(&field).unwrap());
    }

    #[test]
    fn type_key_on_a_field_is_an_error() {
        let field = first_field(parse_quote!(
            struct S(#[trace(tracked)] u8);
        ));
        let text = error_text(is_skipped(&field));
        assert!(text.contains("goes on the type"), "{text}");
    }

    #[test]
    fn unknown_field_key_is_an_error() {
        let field = first_field(parse_quote!(
            struct S(#[trace(ignore)] u8);
        ));
        let text = error_text(is_skipped(&field));
        assert!(text.contains("key `ignore`; expected `skip`"), "{text}");
    }

    #[test]
    fn attribute_on_a_variant_is_an_error() {
        let variant: Variant = parse_quote!(
            #[trace(skip)]
            A(u8)
        );
        let text = error_text(check_variant(&variant));
        assert!(text.contains("not supported on an enum variant"), "{text}");
    }
}
