"""The build and its stages, entered through ``catalog.site.build.build``: transform,
package, charts, render, outputs, search, publish, and the incremental cache."""
