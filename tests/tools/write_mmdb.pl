#!/usr/bin/perl
# Write a small MaxMind DB (.mmdb) from a JSON spec, for tests and demos
# that need GeoIP answers of their own choosing:
#
#   perl tests/tools/write_mmdb.pl SPEC.json OUT.mmdb
#
# SPEC.json:
#   { "database_type": "GeoIP2-City" | "GeoIP2-Country" | "GeoIP2-Anonymous-IP"
#                      | "GeoLite2-ASN" | any other name,
#     "ip_version": 6 (default) | 4,
#     "networks": [
#       { "network": "81.2.69.0/24", "country": "GB", "country_name": "United Kingdom",
#         "city": "London", "latitude": 51.5142, "longitude": -0.0931, "accuracy_radius": 10,
#         "registered_country": "US" },
#       { "network": "...", "is_anonymous": true, "is_anonymous_vpn": true,
#         "is_hosting_provider": true, "is_public_proxy": true,
#         "is_residential_proxy": true, "is_tor_exit_node": true },
#       { "network": "...", "asn": 64500, "asn_org": "Example" } ] }
#
# Every field but "network" is optional; the records are laid out as
# MaxMind's own databases lay them out (country.iso_code, country.names.en,
# city.names.en, location.{latitude,longitude,accuracy_radius}, the
# anonymous booleans at the top level, autonomous_system_number and
# _organization), so a reader cannot tell them from the real thing.
#
# IPv6 databases alias ::ffff:0:0/96, 2001::/32 and 2002::/16 to the IPv4
# subtree, as MaxMind's do, so IPv4 addresses look up in them either way.
# Reserved networks are NOT removed (the writer's default): tests and demos
# use the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
# 203.0.113.0/24) as public addresses.
#
# Needs Debian's libmaxmind-db-writer-perl (scripts/install-deps.sh).
# Exit status 0, or 2 with one line on stderr.
use strict;
use warnings;

use JSON::PP ();
use MaxMind::DB::Writer::Tree;

sub fail { print STDERR "write_mmdb: @_\n"; exit 2; }

my %type_of = (
    country                        => 'map',
    registered_country             => 'map',
    city                           => 'map',
    location                       => 'map',
    names                          => 'map',
    iso_code                       => 'utf8_string',
    en                             => 'utf8_string',
    latitude                       => 'double',
    longitude                      => 'double',
    accuracy_radius                => 'uint16',
    is_anonymous                   => 'boolean',
    is_anonymous_vpn               => 'boolean',
    is_hosting_provider            => 'boolean',
    is_public_proxy                => 'boolean',
    is_residential_proxy           => 'boolean',
    is_tor_exit_node               => 'boolean',
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);

my %spec_keys = map { $_ => 1 } qw(
    network country country_name registered_country city latitude longitude accuracy_radius
    is_anonymous is_anonymous_vpn is_hosting_provider is_public_proxy is_residential_proxy
    is_tor_exit_node asn asn_org);

sub read_spec {
    my ($path) = @_;
    open my $fh, '<:raw', $path or fail("$path: $!");
    local $/;
    my $text = <$fh>;
    close $fh;
    my $spec = eval { JSON::PP->new->decode($text) };
    fail("$path: not JSON: $@") unless defined $spec;
    fail("$path: the spec must be a JSON object") unless ref $spec eq 'HASH';
    fail("$path: \"networks\" must be an array") unless ref $spec->{networks} eq 'ARRAY';
    return $spec;
}

sub truth { return $_[0] ? 1 : 0; }

# One spec entry -> the record MaxMind would store for it. Unknown keys are
# refused: a typo in a test's spec must not silently drop a field.
sub record_of {
    my ($n, $i) = @_;
    fail("networks[$i] must be an object") unless ref $n eq 'HASH';
    for my $k ( keys %{$n} ) {
        fail("networks[$i]: unknown key \"$k\"") unless $spec_keys{$k};
    }
    fail("networks[$i]: no \"network\"") unless defined $n->{network};
    my %r;
    if ( defined $n->{country} ) {
        $r{country} = { iso_code => $n->{country} };
        $r{country}{names} = { en => $n->{country_name} } if defined $n->{country_name};
    }
    $r{registered_country} = { iso_code => $n->{registered_country} } if defined $n->{registered_country};
    $r{city} = { names => { en => $n->{city} } } if defined $n->{city};
    if ( defined $n->{latitude} || defined $n->{longitude} || defined $n->{accuracy_radius} ) {
        fail("networks[$i]: latitude and longitude go together")
            unless defined $n->{latitude} && defined $n->{longitude};
        $r{location} = { latitude => 0.0 + $n->{latitude}, longitude => 0.0 + $n->{longitude} };
        $r{location}{accuracy_radius} = 0 + $n->{accuracy_radius} if defined $n->{accuracy_radius};
    }
    for my $flag (qw(is_anonymous is_anonymous_vpn is_hosting_provider is_public_proxy
                     is_residential_proxy is_tor_exit_node)) {
        $r{$flag} = truth( $n->{$flag} ) if defined $n->{$flag};
    }
    $r{autonomous_system_number} = 0 + $n->{asn} if defined $n->{asn};
    $r{autonomous_system_organization} = $n->{asn_org} if defined $n->{asn_org};
    return \%r;
}

sub main {
    fail('usage: write_mmdb.pl SPEC.json OUT.mmdb') unless @ARGV == 2;
    my ( $spec_path, $out_path ) = @ARGV;
    my $spec = read_spec($spec_path);
    my $ipv = $spec->{ip_version} // 6;
    fail("ip_version must be 4 or 6") unless $ipv == 4 || $ipv == 6;
    my $tree = MaxMind::DB::Writer::Tree->new(
        ip_version               => $ipv,
        record_size              => 28,
        database_type            => $spec->{database_type} // 'GeoIP2-City',
        languages                => ['en'],
        description              => { en => 'vigil test database (tests/tools/write_mmdb.pl)' },
        map_key_type_callback    => sub {
            my $t = $type_of{ $_[0] };
            die "no MaxMind type for key $_[0]\n" unless defined $t;
            return $t;
        },
        alias_ipv6_to_ipv4       => ( $ipv == 6 ? 1 : 0 ),
        remove_reserved_networks => 0,
    );
    my $i = 0;
    for my $n ( @{ $spec->{networks} } ) {
        my $rec = record_of( $n, $i );
        eval { $tree->insert_network( $n->{network}, $rec ); 1 }
            or fail("networks[$i] ($n->{network}): $@");
        $i++;
    }
    open my $out, '>:raw', $out_path or fail("$out_path: $!");
    eval { $tree->write_tree($out); 1 } or fail("$out_path: $@");
    close $out or fail("$out_path: $!");
    return 0;
}

exit main();
