//! A validated view of the derive input: which fields are traced, and the
//! type-level options. All attribute errors are found here, before any code
//! is generated, and reported together so one build shows every mistake.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Generics, Ident, Index, Member, Type};

use crate::attrs::{self, TypeOptions};

/// The derive input, checked and reduced to what code generation needs.
pub(crate) struct Model<'a> {
    pub(crate) name: &'a Ident,
    pub(crate) generics: &'a Generics,
    pub(crate) options: TypeOptions,
    pub(crate) shape: Shape<'a>,
}

pub(crate) enum Shape<'a> {
    Struct(Vec<FieldInfo<'a>>),
    Enum(Vec<VariantInfo<'a>>),
}

pub(crate) struct VariantInfo<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) style: Style,
    pub(crate) fields: Vec<FieldInfo<'a>>,
}

/// How a variant's fields are written, which decides its pattern syntax.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Named,
    Tuple,
    Unit,
}

pub(crate) struct FieldInfo<'a> {
    /// `name` or `0`: how the field is reached from `self` or in a pattern.
    pub(crate) member: Member,
    pub(crate) ty: &'a Type,
    /// Not traced: marked `#[trace(skip)]`, or a function pointer.
    pub(crate) skip: bool,
}

impl<'a> Model<'a> {
    /// Checks `input` and builds its model, or returns every error found.
    pub(crate) fn analyze(input: &'a DeriveInput) -> syn::Result<Self> {
        let generics = check_generics(input);
        let options = attrs::parse_type_options(&input.attrs);
        let shape = analyze_shape(input);
        let ((), (options, shape)) = both(generics, both(options, shape))?;
        Ok(Model {
            name: &input.ident,
            generics: &input.generics,
            options,
            shape,
        })
    }

    /// Every field that `trace` visits, across all variants.
    pub(crate) fn traced_fields(&self) -> impl Iterator<Item = &FieldInfo<'a>> {
        let fields: Box<dyn Iterator<Item = &FieldInfo<'a>>> = match &self.shape {
            Shape::Struct(fields) => Box::new(fields.iter()),
            Shape::Enum(variants) => Box::new(variants.iter().flat_map(|v| v.fields.iter())),
        };
        fields.filter(|field| !field.skip)
    }

    pub(crate) fn traced_field_types(&self) -> Vec<&'a Type> {
        self.traced_fields().map(|field| field.ty).collect()
    }
}

impl<'a> VariantInfo<'a> {
    pub(crate) fn traced_fields(&self) -> impl Iterator<Item = &FieldInfo<'a>> {
        self.fields.iter().filter(|field| !field.skip)
    }
}

/// A span that resolves like the rest of the generated code but points at
/// `ty`, so that "`X: Trace` is not satisfied" is reported on the field.
pub(crate) fn field_span(ty: &Type) -> Span {
    Span::call_site().located_at(ty.span())
}

/// Rejects lifetime parameters. `Trace: 'static` would reject them too, but
/// through a lifetime error on the generated impl that names neither the
/// rule nor the reason.
fn check_generics(input: &DeriveInput) -> syn::Result<()> {
    let errors = input.generics.lifetimes().map(|param| {
        let lifetime = &param.lifetime;
        Err::<(), _>(syn::Error::new_spanned(
            lifetime,
            format!(
                "Trace types must be 'static, but `{name}` borrows for `{lifetime}`: the collector \
                 may keep a value alive arbitrarily long, past the end of any borrow; \
                 own the data instead (`String`, `Vec<T>`, `Box<T>`, `Cc<T>`) or borrow for 'static",
                name = input.ident,
            ),
        ))
    });
    collect_all(errors).map(drop)
}

fn analyze_shape(input: &DeriveInput) -> syn::Result<Shape<'_>> {
    match &input.data {
        Data::Struct(data) => analyze_fields(&data.fields).map(Shape::Struct),
        Data::Enum(data) => {
            let variants = data.variants.iter().map(|variant| {
                let checked = attrs::check_variant(variant);
                let fields = analyze_fields(&variant.fields);
                let ((), fields) = both(checked, fields)?;
                Ok(VariantInfo {
                    ident: &variant.ident,
                    style: style_of(&variant.fields),
                    fields,
                })
            });
            collect_all(variants).map(Shape::Enum)
        }
        Data::Union(data) => Err(syn::Error::new_spanned(
            data.union_token,
            "`#[derive(Trace)]` does not support unions: the collector could not tell \
             which field is live; implement `Trace` by hand",
        )),
    }
}

fn analyze_fields(fields: &Fields) -> syn::Result<Vec<FieldInfo<'_>>> {
    let infos = fields.iter().enumerate().map(|(position, field)| {
        Ok(FieldInfo {
            member: member_of(field, position),
            ty: &field.ty,
            skip: attrs::is_skipped(field)? || is_fn_pointer(&field.ty),
        })
    });
    collect_all(infos)
}

/// A function pointer owns no data, so not tracing it is exact. Skipping it
/// also covers the pointers that no `Trace` impl can: one whose arguments
/// borrow (`fn(&Node)`) is higher-ranked (`for<'a> fn(&'a Node)`), and an
/// impl for those overlaps the one for `fn(A)` (rustc's
/// `coherence_leak_check`).
fn is_fn_pointer(ty: &Type) -> bool {
    match ty {
        Type::BareFn(_) => true,
        Type::Paren(inner) => is_fn_pointer(&inner.elem),
        Type::Group(inner) => is_fn_pointer(&inner.elem),
        _ => false,
    }
}

fn member_of(field: &syn::Field, position: usize) -> Member {
    match &field.ident {
        Some(ident) => Member::Named(ident.clone()),
        None => Member::Unnamed(Index::from(position)),
    }
}

fn style_of(fields: &Fields) -> Style {
    match fields {
        Fields::Named(_) => Style::Named,
        Fields::Unnamed(_) => Style::Tuple,
        Fields::Unit => Style::Unit,
    }
}

/// Like `collect::<Result<Vec<_>>>()`, but keeps going after the first error
/// and returns all of them combined.
fn collect_all<T>(results: impl Iterator<Item = syn::Result<T>>) -> syn::Result<Vec<T>> {
    let mut values = Vec::new();
    let mut error: Option<syn::Error> = None;
    for result in results {
        match result {
            Ok(value) => values.push(value),
            Err(e) => match &mut error {
                Some(first) => first.combine(e),
                None => error = Some(e),
            },
        }
    }
    match error {
        Some(error) => Err(error),
        None => Ok(values),
    }
}

/// Pairs two results, combining their errors if both failed.
fn both<A, B>(a: syn::Result<A>, b: syn::Result<B>) -> syn::Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(mut e), Err(other)) => {
            e.combine(other);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn skips(model: &Model<'_>) -> Vec<bool> {
        match &model.shape {
            Shape::Struct(fields) => fields.iter().map(|f| f.skip).collect(),
            Shape::Enum(variants) => variants
                .iter()
                .flat_map(|v| v.fields.iter().map(|f| f.skip))
                .collect(),
        }
    }

    #[test]
    fn struct_fields_record_skip() {
        let input: DeriveInput = parse_quote!(
            struct S {
                a: u8,
                #[trace(skip)]
                b: u8,
            }
        );
        let model = Model::analyze(&input).unwrap();
        assert_eq!(skips(&model), [false, true]);
        assert_eq!(model.traced_fields().count(), 1);
    }

    #[test]
    fn function_pointer_fields_are_skipped() {
        let input: DeriveInput = parse_quote!(
            struct S {
                a: fn(&S) -> usize,
                b: (unsafe extern "C" fn(u8)),
                c: Option<fn(u8)>,
            }
        );
        let model = Model::analyze(&input).unwrap();
        assert_eq!(skips(&model), [true, true, false]);
    }

    #[test]
    fn enum_variants_record_style() {
        let input: DeriveInput = parse_quote!(
            enum E {
                A { x: u8 },
                B(u8),
                C,
            }
        );
        let model = Model::analyze(&input).unwrap();
        let Shape::Enum(variants) = &model.shape else {
            panic!("expected an enum")
        };
        let styles: Vec<Style> = variants.iter().map(|v| v.style).collect();
        assert!(styles == [Style::Named, Style::Tuple, Style::Unit]);
    }

    #[test]
    fn union_is_an_error() {
        let input: DeriveInput = parse_quote!(
            union U {
                a: u8,
            }
        );
        let text = Model::analyze(&input).err().unwrap().to_string();
        assert!(text.contains("does not support unions"), "{text}");
    }

    #[test]
    fn all_errors_are_reported_together() {
        let input: DeriveInput = parse_quote!(
            #[trace(bogus)]
            enum E {
                A(#[trace(one)] u8),
                #[trace(skip)]
                B,
                C {
                    #[trace(two)]
                    x: u8,
                },
            }
        );
        let errors: Vec<String> = Model::analyze(&input)
            .err()
            .unwrap()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].contains("`bogus`"));
        assert!(errors[1].contains("`one`"));
        assert!(errors[2].contains("enum variant"));
        assert!(errors[3].contains("`two`"));
    }
}
