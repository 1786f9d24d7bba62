"""The portal's pages, one module a part of the campaign."""
