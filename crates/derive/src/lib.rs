//! `#[derive(IntoStatic)]` for the mailproto crates: the owned (`'static`) form of a value that
//! borrows from its input.
//!
//! For a type with lifetime parameters, the derive produces
//! `impl IntoStatic for T<'_, ..> { type Static = T<'static, ..>; .. }` that converts every
//! field with `IntoStatic::into_static`; for a type without lifetimes, `Static = Self` and the
//! value is returned as it is (its fields own their data already). Type parameters are not
//! supported: write those few impls by hand. Use it through `mailproto_core::IntoStatic`, which
//! re-exports this macro beside the trait.

#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, GenericParam, parse_macro_input};

/// Derives `mailproto_core::IntoStatic`; see the crate documentation.
#[proc_macro_derive(IntoStatic)]
pub fn derive_into_static(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(err) => err.to_compile_error().into(),
    }
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let name = &input.ident;
    let mut lifetimes = Vec::new();
    for param in &input.generics.params {
        match param {
            GenericParam::Lifetime(l) => lifetimes.push(l.lifetime.clone()),
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "IntoStatic can only be derived for types whose generics are lifetimes",
                ));
            }
        }
    }
    if lifetimes.is_empty() {
        return Ok(quote! {
            impl ::mailproto_core::IntoStatic for #name {
                type Static = #name;
                #[inline]
                fn into_static(self) -> #name { self }
            }
        });
    }
    let anon = lifetimes.iter().map(|_| quote!('_));
    let statics: Vec<_> = lifetimes.iter().map(|_| quote!('static)).collect();
    let body = match &input.data {
        Data::Struct(s) => {
            let (pattern, build) = convert_fields(&s.fields, quote!(#name));
            quote! { let #pattern = self; #build }
        }
        Data::Enum(e) => {
            let arms = e.variants.iter().map(|v| {
                let vname = &v.ident;
                let (pattern, build) = convert_fields(&v.fields, quote!(#name::#vname));
                quote! { #pattern => #build, }
            });
            quote! { match self { #(#arms)* } }
        }
        Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span,
                "IntoStatic cannot be derived for unions",
            ));
        }
    };
    Ok(quote! {
        impl ::mailproto_core::IntoStatic for #name<#(#anon),*> {
            type Static = #name<#(#statics),*>;
            fn into_static(self) -> #name<#(#statics),*> { #body }
        }
    })
}

/// The destructuring pattern for `fields` under `path`, and the expression that rebuilds the
/// value with every field made owned.
fn convert_fields(fields: &Fields, path: TokenStream2) -> (TokenStream2, TokenStream2) {
    match fields {
        Fields::Named(named) => {
            let names: Vec<_> = named.named.iter().map(|f| f.ident.clone()).collect();
            (
                quote! { #path { #(#names),* } },
                quote! { #path { #(#names: ::mailproto_core::IntoStatic::into_static(#names)),* } },
            )
        }
        Fields::Unnamed(unnamed) => {
            let names: Vec<_> = (0..unnamed.unnamed.len())
                .map(|i| format_ident!("f{i}"))
                .collect();
            (
                quote! { #path ( #(#names),* ) },
                quote! { #path ( #(::mailproto_core::IntoStatic::into_static(#names)),* ) },
            )
        }
        Fields::Unit => (quote! { #path }, quote! { #path }),
    }
}
