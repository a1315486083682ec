//! Generating the `unsafe impl Trace` from a checked [`Model`].

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::DeriveInput;

use crate::bounds;
use crate::leaf;
use crate::model::{field_span, FieldInfo, Model, Shape, Style, VariantInfo};

/// Expands `#[derive(Trace)]` on `input`, or returns the errors to report.
pub(crate) fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let model = Model::analyze(input)?;
    trace_impl(&model)
}

fn trace_impl(model: &Model<'_>) -> syn::Result<TokenStream> {
    let name = model.name;
    let traced_types = model.traced_field_types();
    let is_leaf = leaf::is_leaf_expr(
        name,
        model.generics,
        model.options.tracked,
        traced_types.iter().copied(),
    )?;

    let needs = bounds::requirements(model.generics, traced_types.iter().copied());
    let mut generics = model.generics.clone();
    generics
        .make_where_clause()
        .predicates
        .extend(bounds::predicates(model.generics, &needs));
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();

    let trace_fn = trace_fn(model);
    let finalize_items = finalize_items(model.options.finalize);
    let class_name = model.options.class_name.as_ref().map(|name| {
        let path = &name.0;
        quote! {
            fn class_name(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::from(#path(self))
            }
        }
    });
    let finalize_hook = if model.options.finalize {
        quote! {
            #[automatically_derived]
            impl #impl_generics ::cyclegc::FinalizeHook for #name #type_generics #where_clause {}
        }
    } else {
        TokenStream::new()
    };
    // The user's own `T: Trace` bounds are kept as written, so the added
    // where-clause may repeat them.
    Ok(quote! {
        #[automatically_derived]
        #[allow(clippy::trait_duplication_in_bounds)]
        unsafe impl #impl_generics ::cyclegc::Trace for #name #type_generics #where_clause {
            const IS_LEAF: bool = #is_leaf;

            #trace_fn

            #finalize_items

            #class_name
        }

        #finalize_hook
    })
}

/// The tracer parameter is `mixed_site` so that no user-written name, such
/// as a field called `tracer`, can shadow it or be shadowed by it.
fn tracer_ident() -> Ident {
    Ident::new("tracer", Span::mixed_site())
}

fn trace_fn(model: &Model<'_>) -> TokenStream {
    let tracer = tracer_ident();
    let allow = lint_allowances(model);
    let body = if model.traced_fields().next().is_none() {
        TokenStream::new()
    } else {
        match &model.shape {
            Shape::Struct(fields) => struct_body(fields, &tracer),
            Shape::Enum(variants) => enum_body(variants, &tracer),
        }
    };
    quote! {
        #[inline]
        #allow
        fn trace(&self, #tracer: &mut ::cyclegc::Tracer<'_>) {
            #body
        }
    }
}

/// Allows exactly the lints that the generated body would otherwise trigger
/// in the user's crate.
fn lint_allowances(model: &Model<'_>) -> TokenStream {
    if model.traced_fields().next().is_none() {
        // The body is empty, so the tracer goes unused.
        quote!(#[allow(unused_variables)])
    } else if matches!(&model.shape, Shape::Enum(variants) if variants.len() == 1) {
        // A one-variant enum is matched with a single arm.
        quote!(#[allow(clippy::match_single_binding)])
    } else {
        TokenStream::new()
    }
}

fn struct_body(fields: &[FieldInfo<'_>], tracer: &Ident) -> TokenStream {
    let calls = fields.iter().filter(|field| !field.skip).map(|field| {
        let member = &field.member;
        trace_call(
            field,
            quote_spanned!(field_span(field.ty)=> &self.#member),
            tracer,
        )
    });
    quote!(#(#calls)*)
}

fn enum_body(variants: &[VariantInfo<'_>], tracer: &Ident) -> TokenStream {
    let arms = variants.iter().map(|variant| variant_arm(variant, tracer));
    quote! {
        match self {
            #(#arms)*
        }
    }
}

fn variant_arm(variant: &VariantInfo<'_>, tracer: &Ident) -> TokenStream {
    let ident = variant.ident;
    if variant.traced_fields().next().is_none() {
        // `{ .. }` matches a variant of any style, so fieldless arms need no
        // per-style pattern.
        return quote!(Self::#ident { .. } => {});
    }
    let pattern = variant_pattern(variant);
    let calls = variant
        .fields
        .iter()
        .enumerate()
        .filter(|(_, field)| !field.skip)
        .map(|(position, field)| {
            let binding = binding_ident(position);
            trace_call(field, quote!(#binding), tracer)
        });
    quote! {
        Self::#ident #pattern => {
            #(#calls)*
        }
    }
}

/// Destructures a variant into `binding_ident`s. The bindings replace the
/// field names because a field may be called anything, `tracer` included.
fn variant_pattern(variant: &VariantInfo<'_>) -> TokenStream {
    let fields = variant.fields.iter().enumerate();
    match variant.style {
        Style::Named => {
            let bound = fields.filter(|(_, field)| !field.skip).map(|(position, field)| {
                let member = &field.member;
                let binding = binding_ident(position);
                quote!(#member: #binding)
            });
            let rest = variant.fields.iter().any(|field| field.skip).then(|| quote!(..));
            quote!({ #(#bound,)* #rest })
        }
        Style::Tuple => {
            let elements = fields.map(|(position, field)| {
                if field.skip {
                    quote!(_)
                } else {
                    binding_ident(position).into_token_stream()
                }
            });
            quote!((#(#elements),*))
        }
        Style::Unit => TokenStream::new(),
    }
}

fn binding_ident(position: usize) -> Ident {
    format_ident!("__field_{}", position, span = Span::mixed_site())
}

fn trace_call(field: &FieldInfo<'_>, place: TokenStream, tracer: &Ident) -> TokenStream {
    let ty = field.ty;
    quote_spanned!(field_span(field.ty)=> <#ty as ::cyclegc::Trace>::trace(#place, #tracer);)
}

fn finalize_items(finalize: bool) -> TokenStream {
    if !finalize {
        return TokenStream::new();
    }
    quote! {
        const __FINALIZE: bool = true;

        #[inline]
        fn __finalize(&self) {
            <Self as ::cyclegc::Finalize>::finalize(self)
        }

        #[inline]
        fn __finalize_cc(this: &::cyclegc::Cc<Self>) {
            <Self as ::cyclegc::Finalize>::finalize_cc(this)
        }

        #[inline]
        fn __has_finalizer(&self) -> bool {
            <Self as ::cyclegc::Finalize>::has_finalizer(self)
        }
    }
}
