"""Two small documents for /validate: one that conforms to the shapes, one whose commitment
lacks its guarantor (shared by the validation service and hardening tests)."""

GOOD = b"""@prefix sg: <https://w3id.org/sgkg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/sgkg/id/commitment/x> a sg:Commitment ; rdfs:label "x"@en ;
  sg:guarantor <https://w3id.org/sgkg/id/country/france> ;
  sg:beneficiary <https://w3id.org/sgkg/id/country/ukraine> ;
  sg:commitmentType sg:Defense .
<https://w3id.org/sgkg/id/country/france> a sg:State ; rdfs:label "France"@en .
<https://w3id.org/sgkg/id/country/ukraine> a sg:State ; rdfs:label "Ukraine"@en .
"""
BAD = b"""@prefix sg: <https://w3id.org/sgkg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/sgkg/id/commitment/y> a sg:Commitment ; rdfs:label "y"@en ;
  sg:beneficiary <https://w3id.org/sgkg/id/country/ukraine> ;
  sg:commitmentType sg:Defense .
<https://w3id.org/sgkg/id/country/ukraine> a sg:State ; rdfs:label "Ukraine"@en .
"""
